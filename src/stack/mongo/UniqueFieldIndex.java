import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.memory.index.MemoryUniqueIndex;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.DuplicateKeyError;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The memory backend's unique index on one top-level field (`_id`, an outbox's `dedupKey`), which on every
 * update computes the old and new document's keys two or three times to learn that they did not change.
 * Here a field whose value is equal before and after needs nothing, as the backend would conclude; any
 * other case is the backend's own. A string is its own normalised key: it is looked up, added and removed
 * directly instead of through the backend's key sets.
 */
final class UniqueFieldIndex extends MemoryUniqueIndex {
  private final String field;

  UniqueFieldIndex(String name, List<IndexKey> keys, boolean sparse) {
    super(name, keys, sparse);
    this.field = keys.get(0).getKey();
  }

  /** One top-level field, the case this index is for. */
  static boolean serves(List<IndexKey> keys) {
    return keys.size() == 1 && !keys.get(0).getKey().contains(".");
  }

  private boolean unchanged(Document oldDocument, Document newDocument) {
    return oldDocument.containsKey(field) == newDocument.containsKey(field)
        && Objects.equals(oldDocument.get(field), newDocument.get(field));
  }

  @Override
  public synchronized void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Integer> collection) {
    if (!unchanged(oldDocument, newDocument)) super.checkUpdate(oldDocument, newDocument, collection);
  }

  @Override
  public void updateInPlace(
      Document oldDocument, Document newDocument, Integer position, MongoCollection<Integer> collection) {
    if (!unchanged(oldDocument, newDocument)) super.updateInPlace(oldDocument, newDocument, position, collection);
  }

  @Override
  public Integer getPosition(Document document) {
    if (document.get(field) instanceof String value) return getPosition(new KeyValue(value));
    return super.getPosition(document);
  }

  /** The positions of these string keys, as `getPositions` gives an `$in` of them: in sort order, each once. */
  synchronized List<Integer> positionsOf(Collection<String> keys) {
    List<Integer> positions = new ArrayList<>(keys.size());
    for (String key : new TreeSet<>(keys)) {
      Integer position = getPosition(new KeyValue(key));
      if (position != null) positions.add(position);
    }
    return positions;
  }

  @Override
  public synchronized void checkAdd(Document document, MongoCollection<Integer> collection) {
    if (!(document.get(field) instanceof String value)) {
      super.checkAdd(document, collection);
      return;
    }
    KeyValue key = new KeyValue(value);
    if (getPosition(key) != null) throw new DuplicateKeyError(this, collection, getKeys(), key);
  }

  @Override
  public synchronized void add(Document document, Integer position, MongoCollection<Integer> collection) {
    if (!(document.get(field) instanceof String value)) {
      super.add(document, position, collection);
      return;
    }
    checkAdd(document, collection);
    if (!putKeyPosition(new KeyValue(value), position)) {
      throw new IllegalStateException("Key " + value + " already exists. Concurrency issue?");
    }
  }

  @Override
  public synchronized Integer remove(Document document) {
    if (document.get(field) instanceof String value) return removeDocument(new KeyValue(value));
    return super.remove(document);
  }
}
