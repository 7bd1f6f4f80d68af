import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.backend.ArrayFilters;
import de.bwaldvogel.mongo.oplog.Oplog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

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

  /**
   * The memory backend encodes a document to BSON before and after every write to keep collStats' data size;
   * nothing here reads that size, and on the stand-in it was the largest part of an update's cost.
   */
  @Override
  protected boolean tracksDataSize() {
    return false;
  }

  @Override
  protected QueryResult queryDocuments(
      Document query, Document orderBy, int numberToSkip, int limit, int batchSize, Document fieldSelector) {
    if (planned && query != null && !query.containsKey(ID)) {
      List<Integer> walk = inIndexOrder(query, orderBy);
      if (walk != null) {
        // already in the order asked: matched and limited as the index is walked, never sorted
        Stream<Document> documents = walk.stream().map(this::getDocument).filter(Objects::nonNull);
        return matchDocumentsFromStream(query, documents, numberToSkip, limit, batchSize, null, fieldSelector);
      }
    }
    Iterable<Integer> candidates = !planned || query == null ? null : candidatesOf(query);
    if (candidates == null) {
      return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
    }
    // The `_id` index found exactly the documents an `$in` of strings names: the matcher need not test each
    // against the whole list again (which costs the list's length per document).
    Document rest = query;
    if (stringIdsIn(query) != null && idIndex() != null) {
      rest = new Document(query);
      rest.remove(ID);
    }
    return matchDocuments(rest, candidates, orderBy, numberToSkip, limit, batchSize, fieldSelector);
  }

  /**
   * A multi-update naming its documents by `_id: {$in: [strings]}` is applied as one update per named
   * document (`_id` equality), which is what it means: the memory backend would otherwise match every
   * candidate against the whole list twice. MongoDB does not apply a multi-update atomically either.
   */
  @Override
  public synchronized Document updateDocuments(
      Document selector, Document updateQuery, ArrayFilters arrayFilters, boolean isMulti, boolean isUpsert,
      Oplog oplog) {
    List<String> ids = planned && isMulti && !isUpsert ? stringIdsIn(selector) : null;
    if (ids == null) return super.updateDocuments(selector, updateQuery, arrayFilters, isMulti, isUpsert, oplog);
    int matched = 0;
    int modified = 0;
    for (String id : ids) {
      Document one = new Document(selector);
      one.put(ID, id);
      Document result = super.updateDocuments(one, updateQuery, arrayFilters, false, false, oplog);
      matched += ((Number) result.get("n")).intValue();
      modified += ((Number) result.get("nModified")).intValue();
    }
    Document result = new Document();
    result.put("n", Integer.valueOf(matched));
    result.put("nModified", Integer.valueOf(modified));
    return result;
  }

  /** The distinct ids of an `_id: {$in: [...]}` made of strings only, or null for any other filter. */
  private static List<String> stringIdsIn(Document query) {
    return stringsIn(query.get(ID));
  }

  /** The distinct values of a `{$in: [...]}` made of strings only, in their order, or null for anything else. */
  private static List<String> stringsIn(Object condition) {
    if (!(condition instanceof Document operators) || operators.size() != 1
        || !(operators.get("$in") instanceof Collection<?> values)) {
      return null;
    }
    Set<String> ids = new LinkedHashSet<>();
    for (Object value : values) {
      if (!(value instanceof String id)) return null;
      ids.add(id);
    }
    return new ArrayList<>(ids);
  }

  /** The positions an index gives for this query in the order `orderBy` asks, or null when none can. */
  private List<Integer> inIndexOrder(Document query, Document orderBy) {
    if (orderBy == null || orderBy.isEmpty()) return null;
    for (Index<Integer> index : getIndexes()) {
      if (!(index instanceof SingleFieldIndex fieldIndex) || !query.containsKey(fieldIndex.field())) continue;
      List<Integer> positions = fieldIndex.inOrder(query.get(fieldIndex.field()), orderBy);
      if (positions != null) return positions;
    }
    return null;
  }

  /** The positions an index gives for this query, or null when no index serves it. */
  private Iterable<Integer> candidatesOf(Document query) {
    if (query.containsKey(ID)) {
      Object idLookup = idLookupOf(query.get(ID));
      Index<Integer> idIndex = idIndex();
      if (idLookup != null && idIndex instanceof UniqueFieldIndex unique) {
        List<String> ids = idLookup instanceof String id ? List.of(id) : stringsIn(idLookup);
        if (ids != null) return unique.positionsOf(ids);
      }
      if (idLookup != null && idIndex != null) return idIndex.getPositions(new Document(ID, idLookup));
    }
    // Of the indexes that serve the query, the one naming the fewest documents, as MongoDB's planner would
    // find by racing them.
    Collection<Integer> fewest = null;
    for (Index<Integer> index : getIndexes()) {
      if (!(index instanceof SingleFieldIndex fieldIndex)) continue;
      String field = fieldIndex.field();
      if (query.containsKey(field)) {
        Collection<Integer> positions = fieldIndex.candidates(query.get(field));
        if (positions != null && (fewest == null || positions.size() < fewest.size())) fewest = positions;
      }
    }
    return fewest;
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
