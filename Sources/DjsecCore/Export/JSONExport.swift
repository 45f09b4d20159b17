import Foundation

/// One JSON object, names to values, keys sorted, for tools that read JSON.
enum JSONExport {
  static func render(_ values: [(String, String)]) -> String {
    let object = Dictionary(values, uniquingKeysWith: { $1 })
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}
