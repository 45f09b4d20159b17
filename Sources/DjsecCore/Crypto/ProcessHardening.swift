internal import CSodium

/// Secrets must not leave the process through a crash: a core file would
/// hold every key and value in memory at that moment, guarded pages or not.
public enum ProcessHardening {
  /// Forbids core dumps for this process (RLIMIT_CORE 0, soft and hard, which
  /// its children inherit) and makes it non-dumpable (Linux). Call it before
  /// any secret is read.
  public static func forbidCoreDumps() throws(CryptoError) {
    #if os(Linux)
      let status = djsec_forbid_core_dumps()
      guard status == 0 else { throw .failed(function: status == -1 ? "setrlimit(RLIMIT_CORE)" : "prctl(PR_SET_DUMPABLE)", code: status) }
    #endif
  }
}
