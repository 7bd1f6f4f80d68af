// A card number as producers write it, whole or cut short by a preview: twelve or more digits in a row, or
// groups as printed on cards (4-4-4-4, 4-6-5) split by spaces or dashes. Dates, sizes and positions are shorter.
const cardLike = /\d{12,}|\d{4}[ -]\d{4,6}[ -]\d{4,5}(?:[ -]\d{1,7})?/g;

/** Masks card-like digit runs in text that quotes what a producer sent. */
export const maskCardNumbers = (text: string): string => text.replace(cardLike, '[digits masked]');
