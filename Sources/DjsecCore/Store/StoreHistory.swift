import Foundation

/// What the current branch's own history says about a store's values: for
/// each name, the ciphertexts that a later version on that history replaced
/// or removed. A store that holds one of them again brings back a value the
/// team moved away from (a rotated SECRET_KEY a removed recipient knew),
/// whatever its generation says: an old file pushed back, or a file copied
/// from a branch that forked before the change (docs/SECURITY.md).
///
/// Only the first-parent chain counts: the versions this branch itself had,
/// merges included as their results. Another branch's versions are not on
/// it, so working on two branches is never mistaken for a rollback. Only
/// versions signed by a trusted signer count, so a forged file in history
/// cannot make a current value look replaced.
struct StoreHistory {
  /// name → ciphertexts replaced or removed by a later version on this history.
  /// Config lines count as entries named `config KEY` (a pushed-back
  /// `profile dev` is a rollback as much as a pushed-back password).
  let superseded: [String: Set<[UInt8]>]
  /// True when the check could not see the whole history: a shallow clone,
  /// or more versions than `limit`. Callers say so; nothing is refused for it.
  let incomplete: Bool
  /// git refused the repository ("dubious ownership": run as root in a
  /// checkout another user owns), so nothing was checked. Said, never silent.
  var gitRefused = false

  /// The names in `file` whose ciphertext (or config value) this history saw replaced.
  func replaced(in file: StoreFile) -> [String] {
    Self.entries(file).compactMap { name, value in superseded[name]?.contains(value) == true ? name : nil }.sorted()
  }

  /// The entries the check compares: every secret's ciphertext, and every config line's value.
  static func entries(_ file: StoreFile) -> [String: [UInt8]] {
    var out = file.secrets
    for (key, value) in file.config { out["config \(key)"] = Array(value.utf8) }
    return out
  }

  /// The history of `store` reachable from HEAD, newest first, at most
  /// `limit` versions; nil outside a git work tree or when git fails (a
  /// repository without history has nothing to compare with).
  static func load(store: URL, trusted: Set<[UInt8]>, limit: Int = 5000) -> StoreHistory? {
    let folder = store.deletingLastPathComponent()
    // Replace refs (which a fetch of refs/* brings) could rewrite the history walked here.
    guard
      let log = git(
        [
          "--no-replace-objects", "log", "--first-parent", "--format=%x01", "--raw", "--no-abbrev", "--no-renames", "-n",
          String(limit + 1), "--", store.lastPathComponent,
        ],
        in: folder)
    else { return nil }
    guard log.status == 0 else {
      let refused = String(decoding: log.stderr, as: UTF8.self).contains("safe.directory")
      return refused ? StoreHistory(superseded: [:], incomplete: true, gitRefused: true) : nil
    }
    var blobs: [String] = []
    for line in String(decoding: log.stdout, as: UTF8.self).split(separator: "\n") where line.hasPrefix(":") {
      // :100644 100644 OLD NEW M<TAB>path; a deletion's NEW is all zeros.
      let fields = line.split(separator: " ")
      guard fields.count >= 4, fields[3].contains(where: { $0 != "0" }) else { continue }
      blobs.append(String(fields[3]))
    }
    let truncated = blobs.count > limit
    blobs = Array(blobs.prefix(limit))
    guard !blobs.isEmpty, let contents = readBlobs(blobs, in: folder) else { return nil }
    // Asked only when there is a history to judge: one git process less for every other store.
    let shallow = git(["rev-parse", "--is-shallow-repository"], in: folder).map {
      String(decoding: $0.stdout, as: UTF8.self).hasPrefix("true")
    }
    let versions = contents.compactMap { bytes -> StoreFile? in
      guard let file = try? StoreFile.parse(bytes: bytes, file: store.lastPathComponent), file.version >= 2,
        let signer = file.signature?.signer, trusted.contains(signer), file.signatureVerifies(bytes)
      else { return nil }
      return file
    }
    return StoreHistory(superseded: supersededCiphertexts(newestFirst: versions), incomplete: truncated || shallow == true)
  }

  /// (name, c) in a version V is superseded when a newer version on this
  /// history, with a higher generation than V's, lacks the name or holds
  /// another value for it. The generation matters: every honest write is
  /// numbered above what its writer had seen, so an old file pushed back
  /// (a lower generation) replaces nothing, and pushing the current file
  /// again after it does not make the current values look replaced.
  static func supersededCiphertexts(newestFirst versions: [StoreFile]) -> [String: Set<[UInt8]>] {
    var newerGenerations: [UInt64] = []  // sorted
    var newerWithName: [String: [UInt64]] = [:]  // sorted, per name
    var newestWithValue: [String: [[UInt8]: UInt64]] = [:]  // name → value → highest generation holding it
    var out: [String: Set<[UInt8]>] = [:]
    func countAbove(_ g: UInt64, in sorted: [UInt64]) -> Int {
      var (low, high) = (0, sorted.count)
      while low < high {
        let mid = (low + high) / 2
        if sorted[mid] <= g { low = mid + 1 } else { high = mid }
      }
      return sorted.count - low
    }
    func insert(_ g: UInt64, into sorted: inout [UInt64]) {
      var (low, high) = (0, sorted.count)
      while low < high {
        let mid = (low + high) / 2
        if sorted[mid] <= g { low = mid + 1 } else { high = mid }
      }
      sorted.insert(g, at: low)
    }
    for version in versions {
      let g = version.generation
      let entries = entries(version)
      let allAbove = countAbove(g, in: newerGenerations)
      for (name, value) in entries {
        let absentAbove = allAbove > countAbove(g, in: newerWithName[name] ?? [])
        let otherAbove = newestWithValue[name]?.contains { $0.key != value && $0.value > g } ?? false
        if absentAbove || otherAbove { out[name, default: []].insert(value) }
      }
      for (name, value) in entries {
        insert(g, into: &newerWithName[name, default: []])
        newestWithValue[name, default: [:]][value] = max(newestWithValue[name]?[value] ?? 0, g)
      }
      insert(g, into: &newerGenerations)
    }
    return out
  }

  private static func git(_ arguments: [String], in folder: URL, input: Data? = nil) -> (status: Int32, stdout: Data, stderr: Data)? {
    Subprocess.run("git", arguments, in: folder, input: input).map { ($0.status, $0.stdout, $0.stderr) }
  }

  /// Every blob's bytes, in order, from one `git cat-file --batch`.
  private static func readBlobs(_ ids: [String], in folder: URL) -> [[UInt8]]? {
    guard let r = git(["--no-replace-objects", "cat-file", "--batch"], in: folder, input: Data((ids.joined(separator: "\n") + "\n").utf8)),
      r.status == 0
    else {
      return nil
    }
    let bytes = Array(r.stdout)
    var out: [[UInt8]] = []
    var at = 0
    while at < bytes.count {
      guard let newline = bytes[at...].firstIndex(of: 10) else { return nil }
      let header = String(decoding: bytes[at..<newline], as: UTF8.self).split(separator: " ")
      guard header.count == 3, header[1] == "blob", let size = Int(header[2]), newline + 1 + size <= bytes.count else { return nil }
      out.append(Array(bytes[(newline + 1)..<(newline + 1 + size)]))
      at = newline + 1 + size + 1
    }
    return out
  }
}
