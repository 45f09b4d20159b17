internal import CSodium

#if canImport(Glibc)
  import Glibc
#endif

/// Secret key material in memory that libsodium guards: allocated with
/// `sodium_malloc` (guard pages, canary, and locked out of swap: sodium_malloc
/// calls sodium_mlock itself), wiped, unlocked and freed with `sodium_free` on
/// deinit. It has no
/// `description` that could print it; bytes are reached only through
/// `withUnsafeBytes`.
public final class SecretBytes: @unchecked Sendable {
  // @unchecked Sendable: the buffer is written only during initialisation and
  // read-only afterwards.
  private let pointer: UnsafeMutableRawPointer
  public let count: Int

  public init(count: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) {
    Sodium.ensureReady()
    self.count = count
    guard let p = sodium_malloc(max(count, 1)) else { fatalError("sodium_malloc failed: out of memory") }
    pointer = p
    fill(UnsafeMutableRawBufferPointer(start: p, count: count))
  }

  public convenience init(random count: Int) {
    self.init(count: count) { randombytes_buf($0.baseAddress!, count) }
  }

  public convenience init(copying bytes: some Collection<UInt8>) {
    let array = Array(bytes)
    self.init(count: array.count) { dst in array.withUnsafeBytes { dst.copyMemory(from: $0) } }
  }

  deinit {
    sodium_free(pointer)
  }

  /// Copies a NUL-terminated C string (a value from the process environment)
  /// into guarded memory, then wipes the original in place, so the only copy
  /// left is this one.
  public convenience init(takingCString string: UnsafeMutablePointer<CChar>) {
    let length = strlen(string)
    self.init(count: length) { dst in dst.copyMemory(from: UnsafeRawBufferPointer(start: string, count: length)) }
    sodium_memzero(string, length)
  }

  public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    try body(UnsafeRawBufferPointer(start: pointer, count: count))
  }

  /// Constant-time comparison.
  public func equals(_ other: SecretBytes) -> Bool {
    count == other.count && sodium_memcmp(pointer, other.pointer, count) == 0
  }
}
