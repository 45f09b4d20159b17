import Foundation

/// Standard base64 with padding, as every djsec file writes it.
enum Base64Text {
  static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
  static func decode(_ text: Substring) -> [UInt8]? { decode(bytes: ArraySlice(text.utf8)) }

  /// Decodes straight from the file's bytes: a store holds one value per
  /// line, and going through String and Data for each cost more than the
  /// cryptography on a large store. Standard alphabet, length a multiple of
  /// 4, `=` only as the last one or two characters (stricter than
  /// Foundation, which also reads "====" and "AA=A").
  static func decode(bytes: ArraySlice<UInt8>) -> [UInt8]? {
    let count = bytes.count
    guard count % 4 == 0 else { return nil }
    if count == 0 { return [] }
    return bytes.withUnsafeBufferPointer { input -> [UInt8]? in
      let padding = input[count - 1] != pad ? 0 : input[count - 2] == pad ? 2 : 1
      let length = count / 4 * 3 - padding
      var failed = false
      let out = [UInt8](unsafeUninitializedCapacity: count / 4 * 3) { output, initialized in
        table.withUnsafeBufferPointer { table in
          var o = 0
          var i = 0
          while i < count {
            var quad: UInt32 = 0
            for k in 0..<4 {
              let c = input[i + k]
              var v = table[Int(c)]
              if c == pad {
                // Only the padding at the very end.
                guard i + 4 == count, k >= 4 - padding else {
                  failed = true
                  return
                }
                v = 0
              } else if v == invalid {
                failed = true
                return
              }
              quad = quad << 6 | UInt32(v)
            }
            output[o] = UInt8(truncatingIfNeeded: quad >> 16)
            output[o + 1] = UInt8(truncatingIfNeeded: quad >> 8)
            output[o + 2] = UInt8(truncatingIfNeeded: quad)
            o += 3
            i += 4
          }
        }
        initialized = failed ? 0 : length
      }
      return failed ? nil : out
    }
  }

  private static let pad = UInt8(ascii: "=")
  private static let invalid: UInt8 = 0xff
  private static let table: [UInt8] = {
    var t = [UInt8](repeating: 0xff, count: 256)
    for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { t[Int(c)] = UInt8(i) }
    return t
  }()
}
