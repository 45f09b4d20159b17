/// The block djsec appends to settings.py so that local_settings.py overrides it.
///
/// The common `try: from .local_settings import * / except ImportError: pass`
/// is not used: it also swallows an ImportError raised *inside*
/// local_settings.py (a typo, a missing package) and silently leaves DEBUG on
/// with the development key. This block tolerates exactly one failure, the
/// module itself being absent, and says so loudly on stderr.
public enum SettingsHook {
  public static let beginMarker = "# >>> djsec: load local_settings.py (managed by djsec; keep this block last) >>>"
  public static let endMarker = "# <<< djsec <<<"

  public static let block = """
    \(beginMarker)
    def _djsec_load_local_settings():
        import importlib
        import sys

        name = (__package__ + "." if __package__ else "") + "local_settings"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise  # an import inside local_settings.py failed: never hide it
            sys.stderr.write(
                "djsec: warning: %s.py is missing; running with the defaults in settings.py "
                "(DEBUG and the development key may be on). Run 'djsec init' to create it.\\n" % name
            )
            return
        globals().update({k: v for k, v in vars(module).items() if k.isupper()})


    _djsec_load_local_settings()
    del _djsec_load_local_settings
    \(endMarker)

    """

  /// settings.py with the block appended, or nil when it already holds one.
  /// An older djsec block is replaced in place so upgrades stay idempotent.
  public static func install(into settings: String) -> String? {
    if let begin = settings.range(of: beginMarker), let end = settings.range(of: endMarker, range: begin.upperBound..<settings.endIndex) {
      var blockEnd = end.upperBound
      if blockEnd < settings.endIndex, settings[blockEnd] == "\n" { blockEnd = settings.index(after: blockEnd) }
      if settings[begin.lowerBound..<blockEnd] == block { return nil }
      return settings.replacingCharacters(in: begin.lowerBound..<blockEnd, with: block)
    }
    var base = settings
    if !base.isEmpty && !base.hasSuffix("\n") { base += "\n" }
    return base + "\n\n" + block
  }
}
