#if canImport(Glibc)
  import Glibc
#endif

/// Buffered reads from a file descriptor (a pipe from git) in large chunks, so
/// the per-byte cost stays in Hyperscan, not in the reader.
final class ByteReader {
  private let fd: Int32
  private var buffer: [UInt8]
  private var start = 0
  private var end = 0
  private(set) var failed = false

  init(fd: Int32, capacity: Int = 1 << 20) {
    self.fd = fd
    buffer = [UInt8](repeating: 0, count: capacity)
  }

  /// Refills so at least one unread byte is buffered; false at end of input.
  private func fill() -> Bool {
    if start == end {
      start = 0
      end = 0
    } else if start > 0 && end == buffer.count {
      buffer.withUnsafeMutableBytes { raw in
        let base = raw.baseAddress!
        memmove(base, base + start, end - start)
      }
      end -= start
      start = 0
    }
    if end == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
    while true {
      let n = buffer.withUnsafeMutableBytes { raw in Glibc.read(fd, raw.baseAddress! + end, raw.count - end) }
      if n > 0 {
        end += n
        return true
      }
      if n < 0 && errno == EINTR { continue }
      if n < 0 { failed = true }
      return false
    }
  }

  /// The next line without its newline, or nil at end of input.
  func line() -> [UInt8]? {
    var scanned = start
    while true {
      if let nl = buffer[scanned..<end].firstIndex(of: 10) {
        let out = Array(buffer[start..<nl])
        start = nl + 1
        return out
      }
      scanned = end
      let offset = scanned - start
      guard fill() else {
        if start < end {
          let out = Array(buffer[start..<end])
          start = end
          return out
        }
        return nil
      }
      scanned = start + offset
    }
  }

  /// Calls `body` with the next `count` bytes in place, without copying them
  /// out of the read buffer (which grows to hold the largest blob); false if
  /// input ended first.
  func withNext(_ count: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
    if buffer.count < count + 1 {
      var bigger = [UInt8](repeating: 0, count: max(count + 1, buffer.count * 2))
      bigger.withUnsafeMutableBytes { dst in
        buffer.withUnsafeBytes { src in
          if end > start { dst.baseAddress!.copyMemory(from: src.baseAddress! + start, byteCount: end - start) }
        }
      }
      end -= start
      start = 0
      buffer = bigger
    } else if buffer.count - start < count {
      buffer.withUnsafeMutableBytes { raw in
        let base = raw.baseAddress!
        memmove(base, base + start, end - start)
      }
      end -= start
      start = 0
    }
    while end - start < count {
      let n = buffer.withUnsafeMutableBytes { raw in Glibc.read(fd, raw.baseAddress! + end, raw.count - end) }
      if n > 0 {
        end += n
      } else if n < 0 && errno == EINTR {
        continue
      } else {
        if n < 0 { failed = true }
        return false
      }
    }
    buffer.withUnsafeBytes { raw in body(UnsafeRawBufferPointer(rebasing: raw[start..<(start + count)])) }
    start += count
    return true
  }

  /// The next `count` bytes as an array of their own, or nil if input ended
  /// first. What is buffered is copied once; a large remainder is read
  /// straight into the array, never through the read buffer (one copy of
  /// each blob, not two).
  func take(_ count: Int) -> [UInt8]? {
    var complete = true
    let out = [UInt8](unsafeUninitializedCapacity: count) { destination, initialized in
      guard let to = destination.baseAddress else { return }
      while initialized < count {
        let need = count - initialized
        if start == end, need >= Self.directRead {
          let n = Glibc.read(fd, to + initialized, need)
          if n > 0 {
            initialized += n
            continue
          }
          if n < 0 && errno == EINTR { continue }
          if n < 0 { failed = true }
          complete = false
          return
        }
        if start == end, !fill() {
          complete = false
          return
        }
        let take = min(need, end - start)
        buffer.withUnsafeBytes { raw in
          (to + initialized).update(from: raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + start, count: take)
        }
        start += take
        initialized += take
      }
    }
    return complete ? out : nil
  }

  /// Remainders this large skip the read buffer; smaller ones go through it,
  /// so the next header comes in the same read.
  private static let directRead = 256 << 10

  /// Skips `count` bytes; false if input ended first.
  func skip(_ count: Int) -> Bool {
    var left = count
    while left > 0 {
      if start == end, !fill() { return false }
      let take = min(left, end - start)
      start += take
      left -= take
    }
    return true
  }
}
