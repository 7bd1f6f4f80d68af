import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;
import java.util.Collection;
import java.util.Map;

/**
 * A memory collection whose index builds are atomic with its writes and that, when `planned`, narrows a query to the documents an index names, then lets the memory
 * backend's own matcher decide on each: the candidates are always a superset of the matches, so the
 * result is the unindexed scan's (in another order, which MongoDB does not promise either).
 */
final class IndexedMemoryCollection extends MemoryCollection {
  private static final String ID = "_id";
  private final boolean planned;

  IndexedMemoryCollection(
      MongoDatabase database, String collectionName, CollectionOptions options, CursorRegistry cursorRegistry,
      boolean planned) {
    super(database, collectionName, options, cursorRegistry);
    this.planned = planned;
  }

  /**
   * The memory backend builds an index outside the collection's lock: an insert running meanwhile failed
   * half-way (its index list changed under it) and documents it wrote were left out of the new index.
   * MongoDB builds indexes while writes go on; here the build simply holds the collection's lock.
   */
  @Override
  public synchronized void addIndex(Index<Integer> index) {
    super.addIndex(index);
  }

  @Override
  protected QueryResult queryDocuments(
      Document query, Document orderBy, int numberToSkip, int limit, int batchSize, Document fieldSelector) {
    Iterable<Integer> candidates = !planned || query == null ? null : candidatesOf(query);
    if (candidates == null) {
      return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
    }
    return matchDocuments(query, candidates, orderBy, numberToSkip, limit, batchSize, fieldSelector);
  }

  /** The positions an index gives for this query, or null when no index serves it. */
  private Iterable<Integer> candidatesOf(Document query) {
    if (query.containsKey(ID)) {
      Object idLookup = idLookupOf(query.get(ID));
      Index<Integer> idIndex = idIndex();
      if (idLookup != null && idIndex != null) return idIndex.getPositions(new Document(ID, idLookup));
    }
    for (Index<Integer> index : getIndexes()) {
      if (!(index instanceof SingleFieldIndex fieldIndex)) continue;
      String field = fieldIndex.field();
      if (query.containsKey(field)) {
        Iterable<Integer> positions = fieldIndex.candidates(query.get(field));
        if (positions != null) return positions;
      }
    }
    return null;
  }

  private Index<Integer> idIndex() {
    for (Index<Integer> index : getIndexes()) {
      if (index.getKeys().size() == 1 && ID.equals(index.getKeys().get(0).getKey()) && index.isUnique()) {
        return index;
      }
    }
    return null;
  }

  /**
   * What to look up in the `_id` index for an `_id` condition: a plain value, or `{$in: [...]}` of plain
   * values; null for anything else (ranges, regexes, `$ne`, arrays), which falls back to the scan.
   */
  private static Object idLookupOf(Object condition) {
    if (condition instanceof Collection<?> || BsonRegularExpression.isRegularExpression(condition)) return null;
    if (!(condition instanceof Document operators)) return condition;
    if (operators.keySet().stream().noneMatch(k -> k.startsWith("$"))) return condition;
    if (operators.size() != 1) return null;
    Map.Entry<String, Object> only = operators.entrySet().iterator().next();
    switch (only.getKey()) {
      case "$eq":
        return idLookupOf(only.getValue());
      case "$in":
        if (!(only.getValue() instanceof Collection<?> values)) return null;
        for (Object value : values) {
          if (value instanceof Document || value instanceof Collection<?> || BsonRegularExpression.isRegularExpression(value)) {
            return null;
          }
        }
        return condition;
      default:
        return null;
    }
  }
}
