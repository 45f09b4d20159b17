internal import CSodium

/// Secret key material in memory that libsodium guards: allocated with
/// `sodium_malloc` (guard pages, canary), locked out of swap with
/// `sodium_mlock`, wiped and freed with `sodium_free` on deinit. It has no
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
    _ = sodium_mlock(p, max(count, 1))
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
    sodium_munlock(pointer, max(count, 1))
    sodium_free(pointer)
  }

  public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try body(UnsafeRawBufferPointer(start: pointer, count: count))
  }

  /// Constant-time comparison.
  public func equals(_ other: SecretBytes) -> Bool {
    count == other.count && sodium_memcmp(pointer, other.pointer, count) == 0
  }
}
