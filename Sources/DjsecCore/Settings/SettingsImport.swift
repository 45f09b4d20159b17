/// What `init --import` takes from the local_settings.py it replaces: each
/// top-level `NAME = "..."` whose name `secret set` would accept becomes a
/// secret in the environment's store, and a strong SECRET_KEY becomes the
/// store's key. What cannot be read without running the file (a DATABASES
/// dict, an f-string) or would undo what the template sets (DEBUG,
/// ALLOWED_HOSTS) stays in the backup, listed by name only: reports never
/// show a value.
public struct SettingsImport: Equatable, Sendable {
  /// One value to store. Its description never shows the value.
  public struct Entry: Equatable, Sendable, CustomStringConvertible {
    public let name: String
    public let value: String
    public var description: String { "\(name) = <\(value.unicodeScalars.count) characters>" }
  }

  /// The old file's SECRET_KEY, when it is a literal Django calls strong.
  public var key: Entry?
  /// SECRET_KEY was a literal, but weak (KeyPolicy): not imported.
  public var weakKey = false
  /// Secrets to store, in the file's order.
  public var secrets: [Entry] = []
  /// Every name imported (SECRET_KEY too), in the file's order.
  public var imported: [String] = []
  /// Names the store already holds with the same value.
  public var alreadyStored: [String] = []
  /// Names the store holds with another value: the store's is kept.
  public var storeDiffers: [String] = []
  /// Names the template sets itself (DEBUG, ALLOWED_HOSTS): never imported.
  public var setByTemplate: [String] = []
  /// Names whose value djsec cannot read, or that are no secret name.
  public var notImported: [String] = []
  /// Top-level statements that assign no name (imports, `if` blocks).
  public var otherStatements = 0

  /// Sorts `source`'s assignments for `template` (whose settings are never
  /// imported) and a store that holds `stored` (its values by name, with
  /// SECRET_KEY but not the fallbacks). A value the store holds is never
  /// replaced, but the old file's strong SECRET_KEY is `key` either way.
  /// nil when `source` is not Python as djsec reads it.
  public init?(source: String, template: SettingsTemplate, stored: [String: String]) {
    guard let parsed = PythonAssignments.parse(source) else { return nil }
    let reserved = SecretName.settingsWritten(by: template)
    otherStatements = parsed.otherStatements
    for name in parsed.names {
      let value = parsed.values[name]
      if name == SecretKeyEntries.key, case .string(let key) = value {
        if KeyPolicy.weaknesses(of: key).isEmpty {
          self.key = Entry(name: name, value: key)
          if stored[name] == key { alreadyStored.append(name) } else { imported.append(name) }
        } else {
          weakKey = true
        }
        continue
      }
      if reserved.contains(name) {
        setByTemplate.append(name)
        continue
      }
      // A name render would refuse, the fallbacks list, or a value not read.
      guard !SecretKeyEntries.names.contains(name), (try? SecretName.check(name, reserved: reserved, template: template.name)) != nil,
        case .string(let text) = value
      else {
        notImported.append(name)
        continue
      }
      if let existing = stored[name] {
        if existing == text { alreadyStored.append(name) } else { storeDiffers.append(name) }
      } else {
        secrets.append(Entry(name: name, value: text))
        imported.append(name)
      }
    }
  }
}
