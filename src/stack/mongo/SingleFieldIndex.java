import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.MaxKey;
import de.bwaldvogel.mongo.bson.MinKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * A non-unique index on one top-level field (or a compound index's first field, its prefix): the memory
 * backend ignores such indexes and scans. It serves equality, `$in` and range conditions ($eq, $lt, $lte,
 * $gt, $gte) on plain values; documents whose field is missing or null are candidates for a condition that
 * names null, and while any document holds an array or a sub-document in the field it serves nothing
 * (multikey semantics are not reproduced), so candidates are never too few.
 *
 * A compound index also keeps, for each value of its first field, the documents in the order of its other
 * keys: an equality on the first field sorted by those keys (or a prefix of them, in the index's direction
 * or the reverse) is walked in that order, as MongoDB walks the index instead of sorting, and a limit stops
 * the walk. While any document lacks one of those keys or holds an array or a sub-document in it, it
 * serves no sort.
 */
final class SingleFieldIndex extends Index<Integer> {
  private static final Set<String> RANGE = Set.of("$eq", "$lt", "$lte", "$gt", "$gte");

  private final String field;
  // the compound index's other keys, walked in order for a sort; empty when none or any is dotted
  private final List<IndexKey> rest;
  // first field's value → the other keys' values (in the index's order) → positions
  private final NavigableMap<Object, NavigableMap<List<Object>, Set<Integer>>> ordered =
      new TreeMap<>(ValueOrder.ASC);
  // positions whose other keys are missing, null, arrays or documents: while any exists, no sort is served
  private final Set<Integer> unordered = new LinkedHashSet<>();
  // plain values of the field (compared as the server compares values) → positions holding them
  private final NavigableMap<Object, Set<Integer>> byValue = new TreeMap<>(ValueOrder.ASC);
  // positions whose field is missing or null
  private final Set<Integer> missing = new LinkedHashSet<>();
  // positions whose field holds an array or a document: while any exists, the index serves no query
  private final Set<Integer> complex = new LinkedHashSet<>();
  // _id → (position, indexed value): how a document handed back to us is found again
  private final Map<Object, Entry> byId = new HashMap<>();

  private record Entry(Integer position, Object value, List<Object> restValues) {}

  SingleFieldIndex(String name, List<IndexKey> keys, boolean sparse) {
    super(name, keys, sparse);
    this.field = keys.get(0).getKey();
    List<IndexKey> others = keys.subList(1, keys.size());
    this.rest = others.stream().anyMatch(k -> k.getKey().contains(".")) ? List.of() : List.copyOf(others);
  }

  private Comparator<List<Object>> restOrder() {
    return (a, b) -> {
      for (int i = 0; i < rest.size(); i++) {
        int c = ValueOrder.compare(a.get(i), b.get(i));
        if (c != 0) return rest.get(i).isAscending() ? c : -c;
      }
      return 0;
    };
  }

  /**
   * The positions holding `condition` in the first field, in the order `orderBy` asks, or null when this
   * index cannot give that order (then the caller sorts, as before).
   */
  synchronized List<Integer> inOrder(Object condition, Document orderBy) {
    if (rest.isEmpty() || orderBy == null || orderBy.isEmpty() || orderBy.size() > rest.size()) return null;
    if (!complex.isEmpty() || !unordered.isEmpty()) return null;
    // only a plain value: a document lacking the field matches no such equality, so `missing` is no candidate
    if (!isPlain(condition)) return null;
    Boolean reversed = null;
    int i = 0;
    for (Map.Entry<String, Object> sort : orderBy.entrySet()) {
      IndexKey key = rest.get(i++);
      if (!key.getKey().equals(sort.getKey()) || !(sort.getValue() instanceof Number direction)) return null;
      boolean ascending = direction.doubleValue() > 0;
      boolean flipped = ascending != key.isAscending();
      if (reversed != null && reversed != flipped) return null;
      reversed = flipped;
    }
    NavigableMap<List<Object>, Set<Integer>> bucket = ordered.get(condition);
    List<Integer> positions = new ArrayList<>();
    if (bucket == null) return positions;
    for (Set<Integer> at : (reversed ? bucket.descendingMap() : bucket).values()) positions.addAll(at);
    return positions;
  }

  String field() {
    return field;
  }

  /**
   * Positions that may match the condition on this field, or null when the index cannot say. A document
   * whose field is missing or null matches only a condition that names null: the matcher compares a range
   * bound only with a value of its type, and `$in` and equality compare values.
   */
  synchronized Collection<Integer> candidates(Object condition) {
    if (!complex.isEmpty() || condition instanceof Collection<?> || BsonRegularExpression.isRegularExpression(condition)) {
      return null;
    }
    if (condition == null) return new ArrayList<>(missing);
    if (!(condition instanceof Document operators)) return positions(byValue.subMap(condition, true, condition, true));
    if (operators.size() == 1 && operators.get("$in") instanceof Collection<?> values) return anyOf(values);
    if (operators.isEmpty() || !RANGE.containsAll(operators.keySet())) return null;
    Object lower = null;
    Object upper = null;
    for (Map.Entry<String, Object> op : operators.entrySet()) {
      Object value = op.getValue();
      if (!isPlain(value)) return null;
      switch (op.getKey()) {
        case "$eq" -> { lower = max(lower, value); upper = min(upper, value); }
        case "$gt", "$gte" -> lower = max(lower, value);
        case "$lt", "$lte" -> upper = min(upper, value);
        default -> { return null; }
      }
    }
    NavigableMap<Object, Set<Integer>> range = byValue;
    if (lower != null && upper != null && ValueOrder.compare(lower, upper) > 0) return List.of();
    if (lower != null) range = range.tailMap(lower, true);
    if (upper != null) range = range.headMap(upper, true);
    return positions(range);
  }

  /** `$in` of plain values (and null, which names the documents whose field is missing or null). */
  private Collection<Integer> anyOf(Collection<?> values) {
    Set<Integer> positions = new LinkedHashSet<>();
    for (Object value : values) {
      if (value == null) positions.addAll(missing);
      else if (!isPlain(value)) return null;
      else for (Set<Integer> at : byValue.subMap(value, true, value, true).values()) positions.addAll(at);
    }
    return positions;
  }

  /** A value the index compares as the matcher does: not null, an array, a document, a regex or MinKey/MaxKey. */
  private static boolean isPlain(Object value) {
    return value != null && !(value instanceof Document) && !(value instanceof Collection<?>)
        && !BsonRegularExpression.isRegularExpression(value) && !(value instanceof MinKey) && !(value instanceof MaxKey);
  }

  private static Object max(Object a, Object b) {
    return a == null || ValueOrder.compare(b, a) > 0 ? b : a;
  }

  private static Object min(Object a, Object b) {
    return a == null || ValueOrder.compare(b, a) < 0 ? b : a;
  }

  private static List<Integer> positions(Map<Object, Set<Integer>> range) {
    List<Integer> positions = new ArrayList<>();
    for (Set<Integer> at : range.values()) positions.addAll(at);
    return positions;
  }

  private static Object idOf(Document document) {
    Object id = document.get("_id");
    return id instanceof Number n ? Double.valueOf(n.doubleValue()) : id;
  }

  /** The other keys' values, or null when one is missing, null, an array or a document. */
  private List<Object> restValuesOf(Document document) {
    List<Object> values = new ArrayList<>(rest.size());
    for (IndexKey key : rest) {
      Object value = document.get(key.getKey());
      if (value == null || value instanceof Document || value instanceof Collection<?>) return null;
      values.add(value);
    }
    return values;
  }

  private void put(Document document, Integer position) {
    Object value = document.get(field);
    List<Object> restValues = rest.isEmpty() ? null : restValuesOf(document);
    byId.put(idOf(document), new Entry(position, value, restValues));
    if (value == null) missing.add(position);
    else if (value instanceof Document || value instanceof Collection<?>) complex.add(position);
    else byValue.computeIfAbsent(value, v -> new LinkedHashSet<>()).add(position);
    if (rest.isEmpty() || value == null || value instanceof Document || value instanceof Collection<?>) return;
    if (restValues == null) unordered.add(position);
    else ordered.computeIfAbsent(value, v -> new TreeMap<>(restOrder()))
        .computeIfAbsent(restValues, v -> new LinkedHashSet<>()).add(position);
  }

  private Integer drop(Document document) {
    Entry entry = byId.remove(idOf(document));
    if (entry == null) return null;
    Object value = entry.value();
    if (value == null) missing.remove(entry.position());
    else if (value instanceof Document || value instanceof Collection<?>) complex.remove(entry.position());
    else {
      removeFrom(byValue, value, entry.position());
      unordered.remove(entry.position());
      NavigableMap<List<Object>, Set<Integer>> bucket = ordered.get(value);
      if (bucket != null && entry.restValues() != null) {
        removeFrom(bucket, entry.restValues(), entry.position());
        if (bucket.isEmpty()) ordered.remove(value);
      }
    }
    return entry.position();
  }

  private static <K> void removeFrom(Map<K, Set<Integer>> map, K key, Integer position) {
    Set<Integer> at = map.get(key);
    if (at != null) {
      at.remove(position);
      if (at.isEmpty()) map.remove(key);
    }
  }

  @Override
  public synchronized Integer getPosition(Document document) {
    Entry entry = byId.get(idOf(document));
    return entry == null ? null : entry.position();
  }

  @Override
  public void checkAdd(Document document, MongoCollection<Integer> collection) {}

  @Override
  public synchronized void add(Document document, Integer position, MongoCollection<Integer> collection) {
    put(document, position);
  }

  @Override
  public synchronized Integer remove(Document document) {
    return drop(document);
  }

  @Override
  public boolean canHandle(Document query) {
    return false; // the collection asks `candidates` itself
  }

  @Override
  public Iterable<Integer> getPositions(Document query) {
    throw new UnsupportedOperationException();
  }

  @Override
  public synchronized long getCount() {
    return byId.size();
  }

  @Override
  public synchronized boolean isEmpty() {
    return byId.isEmpty();
  }

  @Override
  public long getDataSize() {
    return getCount();
  }

  @Override
  public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Integer> collection) {}

  @Override
  public synchronized void updateInPlace(
      Document oldDocument, Document newDocument, Integer position, MongoCollection<Integer> collection) {
    // most updates leave the indexed fields as they were (a claim, a history entry): nothing moves
    Entry entry = byId.get(idOf(oldDocument));
    if (entry != null && entry.position().equals(position) && Objects.equals(idOf(oldDocument), idOf(newDocument))
        && Objects.equals(entry.value(), newDocument.get(field))
        && Objects.equals(entry.restValues(), rest.isEmpty() ? null : restValuesOf(newDocument))) {
      return;
    }
    drop(oldDocument);
    put(newDocument, position);
  }

  @Override
  public synchronized void drop() {
    byValue.clear();
    ordered.clear();
    unordered.clear();
    missing.clear();
    complex.clear();
    byId.clear();
  }
}
