/// Errors from key generation.
public enum KeyError: Error, Equatable, Sendable {
  case tooShort(requested: Int, minimum: Int)
  case invalidCount(Int)
}

extension KeyError: DjsecError {
  public var message: String {
    switch self {
    case .tooShort(let requested, let minimum):
      "a key of \(requested) characters is too short: Django's security.W009 wants at least \(minimum)"
    case .invalidCount(let count):
      "--count must be at least 1, got \(count)"
    }
  }

  public var hint: String? {
    switch self {
    case .tooShort(_, let minimum): "pass --length \(minimum) or more"
    case .invalidCount: nil
    }
  }
}
