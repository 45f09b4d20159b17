import Foundation

/// Standard base64 with padding, as every djsec file writes it.
enum Base64Text {
  static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
  static func decode(_ text: Substring) -> [UInt8]? { Data(base64Encoded: String(text)).map { Array($0) } }
}
