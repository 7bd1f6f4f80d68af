import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * A non-unique index on one top-level field (or a compound index's first field, its prefix): the memory
 * backend ignores such indexes and scans. It serves
 * equality and range conditions ($eq, $lt, $lte, $gt, $gte) on plain values; documents whose field is
 * missing or null are always candidates, and while any document holds an array or a sub-document in the
 * field it serves nothing (multikey semantics are not reproduced), so candidates are never too few.
 */
final class SingleFieldIndex extends Index<Integer> {
  private static final Set<String> RANGE = Set.of("$eq", "$lt", "$lte", "$gt", "$gte");

  private final String field;
  // plain values of the field (compared as the server compares values) → positions holding them
  private final NavigableMap<Object, Set<Integer>> byValue = new TreeMap<>(ValueComparator.asc());
  // positions whose field is missing or null
  private final Set<Integer> missing = new LinkedHashSet<>();
  // positions whose field holds an array or a document: while any exists, the index serves no query
  private final Set<Integer> complex = new LinkedHashSet<>();
  // _id → (position, indexed value): how a document handed back to us is found again
  private final Map<Object, Entry> byId = new HashMap<>();

  private record Entry(Integer position, Object value) {}

  SingleFieldIndex(String name, List<IndexKey> keys, boolean sparse) {
    super(name, keys, sparse);
    this.field = keys.get(0).getKey();
  }

  String field() {
    return field;
  }

  /** Positions that may match the condition on this field, or null when the index cannot say. */
  synchronized Iterable<Integer> candidates(Object condition) {
    if (!complex.isEmpty() || condition instanceof Collection<?> || BsonRegularExpression.isRegularExpression(condition)) {
      return null;
    }
    if (condition == null) return new ArrayList<>(missing);
    if (!(condition instanceof Document operators)) return withMissing(byValue.subMap(condition, true, condition, true));
    if (operators.isEmpty() || !RANGE.containsAll(operators.keySet())) return null;
    Object lower = null;
    Object upper = null;
    for (Map.Entry<String, Object> op : operators.entrySet()) {
      Object value = op.getValue();
      if (value == null || value instanceof Document || value instanceof Collection<?>
          || BsonRegularExpression.isRegularExpression(value)) {
        return null;
      }
      switch (op.getKey()) {
        case "$eq" -> { lower = max(lower, value); upper = min(upper, value); }
        case "$gt", "$gte" -> lower = max(lower, value);
        case "$lt", "$lte" -> upper = min(upper, value);
        default -> { return null; }
      }
    }
    NavigableMap<Object, Set<Integer>> range = byValue;
    if (lower != null && upper != null && ValueComparator.asc().compare(lower, upper) > 0) return withMissing(Map.of());
    if (lower != null) range = range.tailMap(lower, true);
    if (upper != null) range = range.headMap(upper, true);
    return withMissing(range);
  }

  private static Object max(Object a, Object b) {
    return a == null || ValueComparator.asc().compare(b, a) > 0 ? b : a;
  }

  private static Object min(Object a, Object b) {
    return a == null || ValueComparator.asc().compare(b, a) < 0 ? b : a;
  }

  private List<Integer> withMissing(Map<Object, Set<Integer>> range) {
    List<Integer> positions = new ArrayList<>(missing);
    for (Set<Integer> at : range.values()) positions.addAll(at);
    return positions;
  }

  private static Object idOf(Document document) {
    Object id = document.get("_id");
    return id instanceof Number n ? Double.valueOf(n.doubleValue()) : id;
  }

  private void put(Document document, Integer position) {
    Object value = document.get(field);
    byId.put(idOf(document), new Entry(position, value));
    if (value == null) missing.add(position);
    else if (value instanceof Document || value instanceof Collection<?>) complex.add(position);
    else byValue.computeIfAbsent(value, v -> new LinkedHashSet<>()).add(position);
  }

  private Integer drop(Document document) {
    Entry entry = byId.remove(idOf(document));
    if (entry == null) return null;
    Object value = entry.value();
    if (value == null) missing.remove(entry.position());
    else if (value instanceof Document || value instanceof Collection<?>) complex.remove(entry.position());
    else {
      Set<Integer> at = byValue.get(value);
      if (at != null) {
        at.remove(entry.position());
        if (at.isEmpty()) byValue.remove(value);
      }
    }
    return entry.position();
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
    drop(oldDocument);
    put(newDocument, position);
  }

  @Override
  public synchronized void drop() {
    byValue.clear();
    missing.clear();
    complex.clear();
    byId.clear();
  }
}
