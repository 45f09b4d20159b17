#if canImport(Glibc)
  import Glibc
#endif

/// Byte searches on the scan's hot path, done by libc's vectorised memchr and
/// memmem rather than element-by-element Swift loops.
enum Bytes {
  static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: String) -> Bool {
    guard let base = haystack.baseAddress, haystack.count > 0 else { return false }
    // memchr finds each candidate first byte at vector speed; memcmp checks the rest.
    // (memmem would do, but it is a GNU extension Swift's Glibc module does not show.)
    var needle = needle
    return needle.withUTF8 { n in
      guard let first = n.first, n.count <= haystack.count else { return false }
      var at = base
      let end = base + haystack.count
      while end - at >= n.count, let hit = memchr(at, Int32(first), end - at - n.count + 1) {
        if memcmp(hit, n.baseAddress!, n.count) == 0 { return true }
        at = UnsafeRawPointer(hit) + 1
      }
      return false
    }
  }

  static func contains(_ haystack: UnsafeRawBufferPointer, byte: UInt8) -> Bool {
    guard let base = haystack.baseAddress, haystack.count > 0 else { return false }
    return memchr(base, Int32(byte), haystack.count) != nil
  }
}
