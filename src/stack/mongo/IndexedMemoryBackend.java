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
  @Override
  public MemoryDatabase openOrCreateDatabase(String databaseName) {
    return new Database(databaseName, getCursorRegistry());
  }

  static final class Database extends MemoryDatabase {
    Database(String databaseName, CursorRegistry cursorRegistry) {
      super(databaseName, cursorRegistry);
    }

    @Override
    protected IndexedMemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
      return new IndexedMemoryCollection(this, collectionName, options, cursorRegistry);
    }

    @Override
    protected Index<Integer> openOrCreateSecondaryIndex(
        String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
      // A compound index serves its first field as MongoDB's planner uses an index prefix.
      if (!keys.get(0).getKey().contains(".")) return new SingleFieldIndex(indexName, keys, sparse);
      return super.openOrCreateSecondaryIndex(collectionName, indexName, keys, sparse);
    }
  }
}
