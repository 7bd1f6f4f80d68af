import de.bwaldvogel.mongo.backend.ValueComparator;
import java.time.Instant;
import java.util.Comparator;

/**
 * The server's order of values (ValueComparator), answered at once for two strings or two dates, the keys
 * the project's indexes hold: ValueComparator first looks each value's type up in a list, which was the
 * largest single cost of keeping an ordered index. Same types compare as ValueComparator compares them.
 */
final class ValueOrder {
  static final Comparator<Object> ASC = ValueOrder::compare;

  private ValueOrder() {}

  static int compare(Object a, Object b) {
    if (a instanceof String s && b instanceof String t) return s.compareTo(t);
    if (a instanceof Instant s && b instanceof Instant t) return s.compareTo(t);
    return ValueComparator.asc().compare(a, b);
  }
}
