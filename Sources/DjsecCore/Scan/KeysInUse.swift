import Foundation

/// The Django signing keys a project uses now, so that a leaked Django key
/// is judged by what it can still sign: the key in use (critical: rotate it
/// now), a fallback Django still accepts (high), or an old key nothing
/// accepts any more (low). Keys come from the project's local_settings.py
/// (what this machine runs) and from the environments' stores that open
/// here without a passphrase. Only when every store opened is a Django key
/// that none of them holds called old: a store that did not open may hold
/// production's key, and a guess must not lower a live key's severity.
public struct KeysInUse: Sendable {
  public enum Role: Sendable, Equatable {
    case current(source: String)
    case fallback(source: String)
  }

  private(set) var roles: [String: Role] = [:]
  /// Every store of the project was read: a key none holds is old.
  public var knowsEveryKey = false

  public init() {}

  public var isEmpty: Bool { roles.isEmpty }

  /// The rules whose findings are a Django SECRET_KEY.
  static let djangoKeyRules: Set = [
    "django-secret-key", "django-insecure-secret-key", "django-secret-key-default", "django-secret-key-fallbacks",
    "django-secret-key-config", "django-key-literal",
  ]

  /// A key and its fallbacks, as a store or a settings file holds them. A
  /// key current anywhere stays current.
  public mutating func add(current: String?, fallbacks: [String], source: String) {
    for key in fallbacks where !key.isEmpty && roles[key] == nil { roles[key] = .fallback(source: source) }
    if let current, !current.isEmpty { roles[current] = .current(source: source) }
  }

  /// The SECRET_KEY and SECRET_KEY_FALLBACKS a settings file assigns as
  /// literals (a rendered local_settings.py does); nothing when it has none.
  public mutating func add(settingsFile url: URL, source: String) {
    guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8),
      let values = PythonAssignments.parse(text)?.values
    else { return }
    var current: String?
    if case .string(let key)? = values[SecretKeyEntries.key] { current = key }
    var fallbacks: [String] = []
    if case .strings(let list)? = values[SecretKeyEntries.fallbacks] { fallbacks = list }
    add(current: current, fallbacks: fallbacks, source: source)
  }

  public func role(of key: String) -> Role? { roles[key] }

  public static func isDjangoKey(_ f: Finding) -> Bool { djangoKeyRules.contains(f.rule) }

  /// Each Django key finding, re-judged by what the key can still sign.
  public func classify(_ result: ScanResult) -> ScanResult {
    guard !roles.isEmpty else { return result }
    var out = result
    for i in out.findings.indices where Self.djangoKeyRules.contains(out.findings[i].rule) {
      var f = out.findings[i]
      switch roles[f.secret] {
      case .current(let source):
        f.severity = .critical
        f.description += ": the key in use now (\(source)); rotate it with 'djsec rotate secret-key'"
      case .fallback(let source):
        f.severity = .high
        f.description +=
          ": a fallback Django still accepts (\(source)); remove it from SECRET_KEY_FALLBACKS with 'djsec secret edit' "
          + "once sessions signed with it have expired"
      case nil:
        guard knowsEveryKey else { continue }
        f.severity = .low
        f.description += ": an old key, no longer in use or accepted"
      }
      out.findings[i] = f
    }
    return out
  }
}
