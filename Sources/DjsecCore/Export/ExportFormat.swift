/// The formats `djsec export` (and `djsec secret export`) writes, one file
/// each; this list is the one place `--format`, its help and its error
/// message come from.
public enum ExportFormat: String, CaseIterable, Sendable {
  /// `NAME='value'` lines a POSIX shell reads (`set -a; . ./file`): any value.
  case env
  /// `export NAME='value'` lines for `eval "$(djsec secret export --format shell)"`.
  case shell
  /// A `.env` file as python-dotenv, django-environ and docker compose read it.
  case dotenv
  /// `docker run --env-file`: `NAME=value` lines taken literally, so no newline.
  case docker
  /// One JSON object, names to values.
  case json
  /// systemd's `EnvironmentFile=`: `NAME="value"` lines, any text but the few characters systemd refuses.
  case systemd

  public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

  /// The file's text for these values (name order). Values are UTF-8 text
  /// (json and docker cannot carry other bytes; the others refuse them too,
  /// so one store exports the same way everywhere).
  public func render(_ values: [(name: String, value: [UInt8])]) throws(ExportError) -> String {
    var text: [(String, String)] = []
    for (name, bytes) in values {
      let value = String(decoding: bytes, as: UTF8.self)
      guard Array(value.utf8) == bytes else { throw .notText(name: name, format: rawValue) }
      guard !bytes.contains(0) else { throw .nulInValue(name: name, format: rawValue) }
      text.append((name, value))
    }
    switch self {
    case .env: return text.map { "\($0.0)=\(ShellExport.quote($0.1))\n" }.joined()
    case .shell: return text.map { "export \($0.0)=\(ShellExport.quote($0.1))\n" }.joined()
    case .dotenv:
      for (name, value) in text { try DotenvExport.check(name, value) }
      return text.map { "\($0.0)=\(DotenvExport.quote($0.1))\n" }.joined()
    case .docker: return try DockerExport.render(text)
    case .json: return JSONExport.render(text)
    case .systemd:
      for (name, value) in text { try SystemdExport.check(name, value) }
      return text.map { "\($0.0)=\(SystemdExport.quote($0.1))\n" }.joined()
    }
  }
}

/// Why a store cannot be exported in a format.
public enum ExportError: Error, Equatable, Sendable {
  case notText(name: String, format: String)
  case nulInValue(name: String, format: String)
  case lineBreakInValue(name: String, format: String)
  case interpolation(name: String, format: String)
  case notAllowedCharacter(name: String, format: String)
}

extension ExportError: DjsecError {
  public var message: String {
    switch self {
    case .notText(let n, let f): "\(n) is not UTF-8 text, which the \(f) format cannot carry"
    case .nulInValue(let n, let f): "\(n) holds a NUL byte, which the \(f) format cannot carry"
    case .lineBreakInValue(let n, let f): "\(n) holds a line break, which the \(f) format cannot carry (each line is one variable)"
    case .interpolation(let n, let f): "\(n) holds '${', which readers of the \(f) format expand as a variable even in quotes"
    case .notAllowedCharacter(let n, let f):
      "\(n) holds a Unicode noncharacter or a byte order mark (U+FEFF), which the \(f) format cannot carry"
    }
  }

  public var hint: String? {
    switch self {
    case .notText, .nulInValue: "hand it over with 'djsec render' or 'djsec exec' instead"
    case .interpolation: "use --format env or json, or 'djsec exec' (nothing is expanded there)"
    case .lineBreakInValue: "use --format dotenv (docker compose reads it) or 'djsec exec -- docker run ...' with -e NAME"
    case .notAllowedCharacter: "hand it over as a file (LoadCredential=, see docs/deploy.md) or with 'djsec exec' instead"
    }
  }
}
