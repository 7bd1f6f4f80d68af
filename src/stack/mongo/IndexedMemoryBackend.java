import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import java.util.List;

/**
 * mongo-java-server's memory backend with the one planner trick MongoDB has and it lacks: a filter with an
 * `_id` equality (or `_id: {$in}`) is answered through the `_id` index, and a filter on the (first) field
 * of a secondary index through that index, before the rest of the filter is matched. Matching and updating
 * are the memory backend's own, untouched: an index only narrows the documents the matcher looks at.
 */
public final class IndexedMemoryBackend extends MemoryBackend {
  private final boolean planned;

  /** planned false: the memory backend's own scanning plan (--unindexed), with the same atomic index builds. */
  public IndexedMemoryBackend(boolean planned) {
    this.planned = planned;
  }

  @Override
  public MemoryDatabase openOrCreateDatabase(String databaseName) {
    return new Database(databaseName, getCursorRegistry(), planned);
  }

  static final class Database extends MemoryDatabase {
    private final boolean planned;

    Database(String databaseName, CursorRegistry cursorRegistry, boolean planned) {
      super(databaseName, cursorRegistry);
      this.planned = planned;
    }

    @Override
    protected IndexedMemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
      return new IndexedMemoryCollection(this, collectionName, options, cursorRegistry, planned);
    }

    @Override
    protected Index<Integer> openOrCreateUniqueIndex(
        String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
      if (planned && UniqueFieldIndex.serves(keys)) return new UniqueFieldIndex(indexName, keys, sparse);
      return super.openOrCreateUniqueIndex(collectionName, indexName, keys, sparse);
    }

    @Override
    protected Index<Integer> openOrCreateSecondaryIndex(
        String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
      // A compound index serves its first field as MongoDB's planner uses an index prefix.
      if (planned && !keys.get(0).getKey().contains(".")) return new SingleFieldIndex(indexName, keys, sparse);
      return super.openOrCreateSecondaryIndex(collectionName, indexName, keys, sparse);
    }
  }
}
