// The two object encodings of gitformat-pack(5) besides a pack's own framing:
// a delta (copy and insert instructions against a base) and a loose object
// (a zlib stream of "TYPE SIZE\0" and the bytes).
internal import CZlib
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

enum Delta {
  /// The size of what `delta` makes, from its header; nil if malformed.
  static func targetSize(_ delta: [UInt8]) -> Int? {
    var i = 0
    var sizes: [Int] = []
    while sizes.count < 2 {
      var value = 0
      var shift = 0
      while true {
        guard i < delta.count, shift < 63 else { return nil }
        let c = delta[i]
        i += 1
        value |= Int(c & 0x7F) << shift
        shift += 7
        if c & 0x80 == 0 { break }
      }
      sizes.append(value)
    }
    return sizes[1]
  }

  /// `base` with `delta` applied, or nil if the delta is malformed, does not
  /// fit its base, or makes more than `maxSize` bytes.
  static func apply(_ delta: [UInt8], to base: [UInt8], maxSize: Int = Int.max) -> [UInt8]? {
    delta.withUnsafeBytes { d -> [UInt8]? in
      var i = 0
      func varint() -> Int? {
        var value = 0
        var shift = 0
        while i < d.count, shift < 63 {
          let c = d[i]
          i += 1
          value |= Int(c & 0x7F) << shift
          shift += 7
          if c & 0x80 == 0 { return value }
        }
        return nil
      }
      guard let sourceSize = varint(), sourceSize == base.count, let targetSize = varint() else { return nil }
      guard targetSize <= maxSize else { return nil }
      var failed = false
      let out = [UInt8](unsafeUninitializedCapacity: targetSize) { out, initialized in
        base.withUnsafeBytes { src in
          var at = 0
          while i < d.count {
            let op = d[i]
            i += 1
            if op & 0x80 != 0 {
              // Copy from the base: offset and size bytes present as the op's bits say.
              var offset = 0
              var size = 0
              for bit in 0..<4 where op & (1 << bit) != 0 {
                guard i < d.count else { failed = true; return }
                offset |= Int(d[i]) << (8 * bit)
                i += 1
              }
              for bit in 0..<3 where op & (1 << (4 + bit)) != 0 {
                guard i < d.count else { failed = true; return }
                size |= Int(d[i]) << (8 * bit)
                i += 1
              }
              if size == 0 { size = 0x10000 }
              guard offset + size <= src.count, at + size <= targetSize else { failed = true; return }
              (out.baseAddress! + at).initialize(from: src.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset, count: size)
              at += size
            } else if op != 0 {
              // Insert the next `op` bytes of the delta itself.
              let size = Int(op)
              guard i + size <= d.count, at + size <= targetSize else { failed = true; return }
              (out.baseAddress! + at).initialize(from: d.baseAddress!.assumingMemoryBound(to: UInt8.self) + i, count: size)
              at += size
              i += size
            } else {
              failed = true  // opcode 0 is reserved
              return
            }
          }
          failed = failed || at != targetSize
          initialized = failed ? 0 : targetSize
        }
        if failed { initialized = 0 }
      }
      return failed ? nil : out
    }
  }
}

enum LooseObject {
  /// The type and bytes of the loose object file at `path`; nil bytes when
  /// it is a blob larger than `maxSize`; nil for a type this scan skips.
  static func read(_ path: String, id: ObjectID, maxSize: Int) throws(ScanError) -> (ObjectType, [UInt8]?)? {
    guard let data = FileManager.default.contents(atPath: path) else { throw .corruptObject(id: id.hex, path: path) }
    var stream = z_stream()
    guard djsec_inflate_init(&stream) == Z_OK else { throw .corruptObject(id: id.hex, path: path) }
    defer { inflateEnd(&stream) }
    // nil: corrupt; .some(nil): not a blob.
    let result = data.withUnsafeBytes { input -> (ObjectType, [UInt8]?)?? in
      stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
      stream.avail_in = uInt(input.count)
      // The header first: "blob 1234\0" fits in 32 bytes.
      var head = [UInt8](repeating: 0, count: 32)
      let status = head.withUnsafeMutableBytes { h in
        stream.next_out = h.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(h.count)
        return CZlib.inflate(&stream, Z_SYNC_FLUSH)
      }
      guard status == Z_OK || status == Z_STREAM_END, let nul = head.prefix(Int(stream.total_out)).firstIndex(of: 0),
        let space = head[..<nul].firstIndex(of: 32), let size = Int(String(decoding: head[(space + 1)..<nul], as: UTF8.self))
      else { return nil }
      let typeName = String(decoding: head[..<space], as: UTF8.self)
      guard typeName == "blob" else { return .some(nil) }
      if size > maxSize { return (.blob, nil) }
      let already = Int(stream.total_out) - (nul + 1)
      var failed = false
      let bytes = [UInt8](unsafeUninitializedCapacity: max(size, 1)) { out, initialized in
        guard already <= size else { failed = true; return }
        for k in 0..<already { out[k] = head[nul + 1 + k] }
        stream.next_out = out.baseAddress! + already
        stream.avail_out = uInt(max(size, 1) - already)
        let end = CZlib.inflate(&stream, Z_FINISH)
        failed = end != Z_STREAM_END || Int(stream.total_out) != nul + 1 + size
        initialized = failed ? 0 : size
      }
      if failed { return nil }
      return (.blob, bytes)
    }
    guard let result else { throw .corruptObject(id: id.hex, path: path) }
    return result
  }
}
