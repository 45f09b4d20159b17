/// The SECRET_KEY the project runs with and its fallbacks, for the key
/// checks: local_settings.py (or settings.py) as literals first, since that
/// is what Django runs; else what the stores that open here hold.
extension AuditContext {
  var keyInUse: (key: String, source: String)? {
    if let entry = settings[SecretKeyEntries.key], case .string(let key) = entry.value { return (key, relative(entry.file)) }
    for (key, role) in keys.roles {
      if case .current(let source) = role { return (key, source) }
    }
    return nil
  }

  var fallbacksInUse: (keys: [String], source: String)? {
    if let entry = settings[SecretKeyEntries.fallbacks], case .strings(let list) = entry.value { return (list, relative(entry.file)) }
    var list: [String] = []
    var source = ""
    for (key, role) in keys.roles {
      if case .fallback(let from) = role {
        list.append(key)
        source = from
      }
    }
    return list.isEmpty ? nil : (list, source)
  }

  /// Why the key in use is not known, for a check that cannot run without it.
  var noKeyReason: String {
    if case .other? = settings[SecretKeyEntries.key]?.value {
      return "the SECRET_KEY is not a literal djsec can read (an environment variable?), and no store opens here"
    }
    return "no SECRET_KEY in the settings and no store that opens here"
  }
}
