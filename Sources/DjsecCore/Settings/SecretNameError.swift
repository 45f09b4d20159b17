/// A secret name that `render` could not write safely (see SecretName). Names
/// are ids, not secrets, so they are shown; one typed at the prompt may hold
/// anything, so it is shown escaped and cut short.
public enum SecretNameError: Error, Equatable, Sendable {
  case empty
  case pythonKeyword(String)
  case tooLong(String)
  case notUpperCase(String)
  case writtenByTemplate(String, template: String)

  public var name: String {
    switch self {
    case .empty: ""
    case .pythonKeyword(let n), .tooLong(let n), .notUpperCase(let n), .writtenByTemplate(let n, _): n
    }
  }

  /// Why the name cannot be used, to end a sentence (`render` reuses it).
  public var reason: String {
    switch self {
    case .empty: "a secret needs a name"
    case .pythonKeyword: "it is a Python keyword, and local_settings.py would not import"
    case .tooLong(let n): "it is \(n.utf8.count) bytes long, more than \(SecretName.maxBytes)"
    case .notUpperCase:
      "Django reads only upper-case settings: use A-Z, 0-9 and _, not starting with a digit, with at least one letter"
    case .writtenByTemplate(let n, _): "the template sets \(n) itself, and a string from the store would override it"
    }
  }

  /// The name as it may be printed: printable ASCII kept, anything else escaped, at most 64 characters.
  var shownName: String {
    var out = ""
    for scalar in name.unicodeScalars.prefix(64) {
      out += scalar.value >= 0x21 && scalar.value < 0x7F ? String(scalar) : scalar.escaped(asASCII: true)
    }
    return name.unicodeScalars.count > 64 ? out + "..." : out
  }
}

extension SecretNameError: DjsecError {
  public var message: String {
    switch self {
    case .empty: "refusing an empty secret name"
    case .writtenByTemplate(let n, let t):
      "refusing the secret name \(n): \(t) sets \(n) itself, and a string from the store would override it"
    default: "refusing the secret name \(shownName): \(reason)"
    }
  }

  public var hint: String? {
    switch self {
    case .empty, .pythonKeyword, .notUpperCase: "name it in upper case, such as DB_PASSWORD or API_TOKEN"
    case .tooLong: "choose a name of at most \(SecretName.maxBytes) bytes"
    case .writtenByTemplate:
      "choose another name; DEBUG and ALLOWED_HOSTS change with 'djsec init' (--profile, --host), the other settings in the template"
    }
  }
}
