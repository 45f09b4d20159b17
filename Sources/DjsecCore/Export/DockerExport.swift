/// `docker run --env-file`: each line is `NAME=value`, the value taken
/// literally to the end of the line (no quotes, no escapes), so a value with
/// a line break cannot be written; the line's leading blanks are dropped,
/// which `NAME=` first on the line makes harmless.
enum DockerExport {
  static func render(_ values: [(String, String)]) throws(ExportError) -> String {
    var out = ""
    for (name, value) in values {
      guard !value.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
        throw .lineBreakInValue(name: name, format: "docker")
      }
      out += "\(name)=\(value)\n"
    }
    return out
  }
}
