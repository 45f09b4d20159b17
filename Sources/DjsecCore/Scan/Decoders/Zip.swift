// The only file that calls zlib: reads the members of zip archives (and
// wheels, jars, eggs) so a `.env` packed into an archive is still scanned.
internal import CZlib

enum Zip {
  struct Member {
    var name: String
    var bytes: [UInt8]
  }

  static func isArchive(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 3 && bytes[3] == 4
  }

  /// The members of an archive, from its central directory, each at most
  /// `maxMemberSize` bytes and `maxTotal` in all (a zip bomb stops there).
  static func members(of bytes: UnsafeRawBufferPointer, maxMemberSize: Int, maxTotal: Int, maxMembers: Int = 10_000) -> [Member] {
    guard let eocd = endOfCentralDirectory(bytes) else { return [] }
    let count = Int(u16(bytes, eocd + 10))
    var offset = Int(u32(bytes, eocd + 16))
    var out: [Member] = []
    var total = 0
    for _ in 0..<min(count, maxMembers) {
      guard offset + 46 <= bytes.count, u32(bytes, offset) == 0x0201_4B50 else { break }
      let method = u16(bytes, offset + 10)
      let compressed = Int(u32(bytes, offset + 20))
      let size = Int(u32(bytes, offset + 24))
      let nameLength = Int(u16(bytes, offset + 28))
      let extraLength = Int(u16(bytes, offset + 30))
      let commentLength = Int(u16(bytes, offset + 32))
      let local = Int(u32(bytes, offset + 42))
      guard offset + 46 + nameLength <= bytes.count else { break }
      let name = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
      offset += 46 + nameLength + extraLength + commentLength
      guard !name.hasSuffix("/"), size <= maxMemberSize, total + size <= maxTotal else { continue }
      guard local + 30 <= bytes.count, u32(bytes, local) == 0x0403_4B50 else { continue }
      let dataStart = local + 30 + Int(u16(bytes, local + 26)) + Int(u16(bytes, local + 28))
      guard dataStart + compressed <= bytes.count else { continue }
      let data = UnsafeRawBufferPointer(rebasing: bytes[dataStart..<(dataStart + compressed)])
      switch method {
      case 0:
        out.append(Member(name: name, bytes: Array(data)))
        total += size
      case 8:
        if let inflated = inflate(data, expected: size) {
          out.append(Member(name: name, bytes: inflated))
          total += inflated.count
        }
      default: continue
      }
    }
    return out
  }

  private static func endOfCentralDirectory(_ b: UnsafeRawBufferPointer) -> Int? {
    guard b.count >= 22 else { return nil }
    var i = b.count - 22
    let floor = max(0, b.count - 22 - 65_535)
    while i >= floor {
      if u32(b, i) == 0x0605_4B50 { return i }
      i -= 1
    }
    return nil
  }

  private static func inflate(_ data: UnsafeRawBufferPointer, expected: Int) -> [UInt8]? {
    var stream = z_stream()
    guard djsec_inflate_init_raw(&stream) == Z_OK else { return nil }
    defer { inflateEnd(&stream) }
    var out = [UInt8](repeating: 0, count: max(expected, 1))
    let status: Int32 = out.withUnsafeMutableBytes { outRaw in
      stream.next_in = UnsafeMutablePointer(mutating: data.baseAddress?.assumingMemoryBound(to: Bytef.self))
      stream.avail_in = uInt(data.count)
      stream.next_out = outRaw.baseAddress!.assumingMemoryBound(to: Bytef.self)
      stream.avail_out = uInt(outRaw.count)
      return CZlib.inflate(&stream, Z_FINISH)
    }
    guard status == Z_STREAM_END || status == Z_OK || status == Z_BUF_ERROR else { return nil }
    return Array(out.prefix(Int(stream.total_out)))
  }

  private static func u16(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt16 {
    guard i + 2 <= b.count else { return 0 }
    return UInt16(b[i]) | UInt16(b[i + 1]) << 8
  }

  private static func u32(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
    guard i + 4 <= b.count else { return 0 }
    return UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
  }
}
