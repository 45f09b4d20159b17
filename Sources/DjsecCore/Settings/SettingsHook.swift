/// The block djsec appends to settings.py so that local_settings.py overrides it.
///
/// The common `try: from .local_settings import * / except ImportError: pass`
/// is not used: it also swallows an ImportError raised *inside*
/// local_settings.py (a typo, a missing package) and silently leaves DEBUG on
/// with the development key. Nor is a missing file tolerated: Django would
/// start on startproject's defaults (DEBUG on, a published key) and a server
/// whose deploy step forgot `djsec render` would serve that. So by default the
/// block stops Django with `ImproperlyConfigured`, naming the file and the
/// command that writes it; only a settings module meant for development opts
/// in to running on its defaults, and then says so on stderr at every start.
///
/// local_settings.py runs as if it were the end of settings.py: it starts with
/// every upper-case setting settings.py defined (so a recipe can set
/// `DATABASES["default"]["PASSWORD"]`), and every upper-case name it ends with
/// becomes a setting. It is loaded from the settings module's own package
/// under `localModule`, so each module of split settings (`settings/production.py`,
/// `settings/local.py`) can load its own file.
public enum SettingsHook {
  /// What the block does when the local settings module is absent.
  public enum OnMissing: String, Sendable, Equatable {
    /// Stop Django with `ImproperlyConfigured` (every settings module djsec deploys).
    case fail
    /// Warn on stderr and run on settings.py's defaults (a development settings module).
    case useDefaults
  }

  /// The start of every block djsec wrote, this version's and older ones', so they are found and replaced.
  static let beginPrefix = "# >>> djsec: load "
  public static let endMarker = "# <<< djsec <<<"
  public static let defaultModule = "local_settings"

  /// A module name the block may import: a Python identifier (it is written
  /// into settings.py as code and as a file name). No keyword is one.
  public static func isValidModuleName(_ name: String) -> Bool {
    let bytes = Array(name.utf8)
    func letter(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 || c == 95 }
    guard let first = bytes.first, letter(first), bytes.count <= 100 else { return false }
    return bytes.allSatisfy { letter($0) || ($0 >= 48 && $0 <= 57) } && !SecretName.pythonKeywords.contains(name)
  }

  /// The block for `localModule` (beside the settings module), ending in a newline.
  /// - Precondition: `isValidModuleName(localModule)`.
  public static func block(localModule: String = defaultModule, onMissing: OnMissing = .fail) -> String {
    precondition(isValidModuleName(localModule), "not a Python module name: \(localModule)")
    // The branch taken when the file is absent, indented for the `if` it goes in.
    let missing: String
    switch onMissing {
    case .fail:
      missing = """
                from django.core.exceptions import ImproperlyConfigured

                raise ImproperlyConfigured(
                    "%s is missing: Django does not start on the development defaults in %s. "
                    "Write it with 'djsec render'." % (shown, os.path.basename(__file__))
                )
        """
    case .useDefaults:
      missing = """
                sys.stderr.write(
                    "djsec: warning: %s is missing; running on the defaults in %s, with a SECRET_KEY "
                    "that lasts as long as this process. Write it with 'djsec render'.\\n" % (shown, os.path.basename(__file__))
                )
                if not settings.get("SECRET_KEY"):
                    # init took startproject's published key out: a throwaway one, never written anywhere.
                    import secrets

                    settings["SECRET_KEY"] = secrets.token_urlsafe(48)
                return
        """
    }
    return """
      \(beginPrefix)\(localModule).py (managed by djsec; keep this block last) >>>
      def _djsec_load_local_settings(settings):
          import importlib.util
          import os
          import sys

          name = (__package__ + "." if __package__ else "") + "\(localModule)"
          spec = importlib.util.find_spec(name)
          if spec is None:
              path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "\(localModule).py")
              try:
                  shown = os.path.relpath(path)  # as the user sees it from manage.py's folder
              except (OSError, ValueError):
                  shown = path
              if shown.startswith(os.pardir):
                  shown = path
      \(missing)
          # It runs as the end of this file: it starts with the settings above.
          module = importlib.util.module_from_spec(spec)
          vars(module).update({k: v for k, v in settings.items() if k.isupper()})
          sys.modules[name] = module
          try:
              spec.loader.exec_module(module)  # an error inside it stops Django: never hidden
          except BaseException:
              del sys.modules[name]
              raise
          settings.update({k: v for k, v in vars(module).items() if k.isupper()})


      _djsec_load_local_settings(globals())
      del _djsec_load_local_settings
      \(endMarker)

      """
  }

  /// settings.py with the block appended, or nil when it already holds this
  /// exact block. A block an older djsec wrote (or this one for another
  /// module or variant) is replaced in place, so upgrades stay idempotent.
  /// - Precondition: `isValidModuleName(localModule)`.
  public static func install(into settings: String, localModule: String = defaultModule, onMissing: OnMissing = .fail) -> String? {
    let block = block(localModule: localModule, onMissing: onMissing)
    if let begin = blockStart(in: settings), let end = settings.range(of: endMarker, range: begin..<settings.endIndex) {
      var blockEnd = end.upperBound
      if blockEnd < settings.endIndex, settings[blockEnd] == "\n" { blockEnd = settings.index(after: blockEnd) }
      if settings[begin..<blockEnd] == block { return nil }
      return settings.replacingCharacters(in: begin..<blockEnd, with: block)
    }
    // Two blank lines before it, however many the file ended with (a block taken out by hand leaves some).
    var base = settings[...]
    while let last = base.last, last.isNewline { base = base.dropLast() }
    return base.isEmpty ? block : base + "\n\n\n" + block
  }

  /// Where djsec's block starts: a line that begins with the marker.
  private static func blockStart(in settings: String) -> String.Index? {
    var from = settings.startIndex
    while let found = settings.range(of: beginPrefix, range: from..<settings.endIndex) {
      if found.lowerBound == settings.startIndex || settings[settings.index(before: found.lowerBound)] == "\n" {
        return found.lowerBound
      }
      from = found.upperBound
    }
    return nil
  }
}
