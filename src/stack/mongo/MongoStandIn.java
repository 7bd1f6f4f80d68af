import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.List;

/**
 * mongo-java-server on loopback. It reports MongoDB 4.4 (wire 9): the oldest the current Node driver
 * accepts; the built-in MONGO_5_0 setting reports wire 8 and is refused by driver 7.
 * usage: MongoStandIn [host] [port] [--unindexed]. By default filters are planned through indexes as
 * MongoDB plans them (IndexedMemoryBackend); --unindexed keeps the memory backend's plan, which scans.
 */
public final class MongoStandIn {
  public static void main(String[] args) throws InterruptedException {
    String host = args.length > 0 ? args[0] : "127.0.0.1";
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 37017;
    boolean unindexed = List.of(args).contains("--unindexed");
    MongoVersion reported = new MongoVersion() {
      @Override public List<Integer> getVersionArray() { return List.of(4, 4, 0); }
      @Override public int getWireVersion() { return 9; }
    };
    MemoryBackend backend = new IndexedMemoryBackend(!unindexed);
    MongoServer server = new MongoServer(backend.version(reported));
    server.bind(host, port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    System.out.println("mongo-java-server (" + (unindexed ? "unindexed" : "indexed") + ") listening on " + host + ":" + port);
    Thread.currentThread().join();
  }
}
