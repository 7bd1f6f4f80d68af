/**
 * What a fatal exit logs besides the error itself: the first code found down its chain of causes (ours, e.g.
 * `store-closed`, or a client's) and the message of every cause, so "worker failed" says why.
 */
export const failureFields = (
  error: unknown,
): { readonly code: string | undefined; readonly err: unknown; readonly causes: readonly string[] } => {
  const causes: string[] = [];
  let code: string | undefined;
  let current: unknown = error;
  // A bounded walk: a cause chain may loop.
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth += 1) {
    const { code: own, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === undefined && typeof own === 'string') code = own;
    if (depth > 0) causes.push(typeof message === 'string' ? message : JSON.stringify(current));
    current = cause;
  }
  return { code, err: error, causes };
};
