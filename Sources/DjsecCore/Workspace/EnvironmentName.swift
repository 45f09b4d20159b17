/// The name of an environment (development, staging, production): each has
/// its own store file, recipients, SECRET_KEY and render settings, so that
/// nothing of development's can reach production's render.
///
/// The default environment is today's single `secrets.djsec`; a named one is
/// `secrets.NAME.djsec` beside it. Names are short, lower-case and safe in a
/// file name and a shell word, because they end up in both.
public struct EnvironmentName: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let rawValue: String

  public static let defaultName = "default"
  public static let `default` = EnvironmentName(unchecked: defaultName)

  init(unchecked: String) { rawValue = unchecked }

  /// nil when `name` is not a valid environment name (see `isValid`).
  public init?(_ name: String) {
    guard Self.isValid(name) else { return nil }
    rawValue = name
  }

  /// 1 to 32 of a-z, 0-9, `-` and `_`, starting with a letter.
  public static func isValid(_ name: String) -> Bool {
    guard let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), name.utf8.count <= 32 else {
      return false
    }
    return name.utf8.allSatisfy {
      (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
        || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
    }
  }

  public var isDefault: Bool { rawValue == Self.defaultName }

  /// `secrets.djsec` for the default environment, `secrets.NAME.djsec` otherwise.
  public var storeFileName: String { isDefault ? "secrets.djsec" : "secrets.\(rawValue).djsec" }

  /// The environment a store file name belongs to, or nil for any other file.
  public init?(storeFileName name: String) {
    if name == "secrets.djsec" {
      self = .default
      return
    }
    guard name.hasPrefix("secrets."), name.hasSuffix(".djsec") else { return nil }
    let middle = String(name.dropFirst("secrets.".count).dropLast(".djsec".count))
    guard middle != Self.defaultName, let env = EnvironmentName(middle) else { return nil }
    self = env
  }

  /// The label of the key pair `init` makes for a new store of this
  /// environment: each environment gets its own, so a developer's key never
  /// opens production's store.
  public var keyLabel: String { rawValue }

  public var description: String { rawValue }

  public static func < (lhs: EnvironmentName, rhs: EnvironmentName) -> Bool {
    if lhs.isDefault != rhs.isDefault { return lhs.isDefault }
    return lhs.rawValue < rhs.rawValue
  }
}
