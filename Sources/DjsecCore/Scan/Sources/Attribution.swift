/// A git object id in 20 bytes rather than a 40-character String: attribution
/// holds one per introduction, 800,000 of them for wagtail's history.
struct ObjectID: Hashable, Comparable, Sendable {
  var high: UInt64
  var middle: UInt64
  var low: UInt32

  init?(hex: some Collection<UInt8>) {
    guard hex.count == 40 else { return nil }
    var (high, middle, low): (UInt64, UInt64, UInt64) = (0, 0, 0)
    for (i, c) in hex.enumerated() {
      let v: UInt64
      switch c {
      case 48...57: v = UInt64(c - 48)
      case 97...102: v = UInt64(c - 87)
      case 65...70: v = UInt64(c - 55)
      default: return nil
      }
      if i < 16 {
        high = high << 4 | v
      } else if i < 32 {
        middle = middle << 4 | v
      } else {
        low = low << 4 | v
      }
    }
    (self.high, self.middle, self.low) = (high, middle, UInt32(truncatingIfNeeded: low))
  }

  init?(_ string: String) { self.init(hex: Array(string.utf8)) }

  init(high: UInt64, middle: UInt64, low: UInt32) {
    (self.high, self.middle, self.low) = (high, middle, low)
  }

  static func < (a: Self, b: Self) -> Bool { (a.high, a.middle, a.low) < (b.high, b.middle, b.low) }
}

/// Where each blob came from: every commit whose change (against its first
/// parent; the whole tree for a root commit) added that blob at some path.
/// Merge commits are compared with their first parent, so content that only
/// a merge introduced (a conflict resolution, an "evil merge") is covered.
///
/// Kept compact because it covers the whole history while only a few blobs
/// hold findings: one flat array of (blob, commit, path number) sorted by
/// blob, and each distinct path stored once.
public struct Attribution: Sendable {
  public struct Introduction: Sendable, Equatable {
    public var commit: Int
    public var path: String
  }

  struct Record {
    var blob: ObjectID
    var commit: Int32
    var path: Int32
  }

  public private(set) var commits: [CommitInfo] = []
  /// Why the walk stopped early (git's own words about a damaged commit or
  /// tree): blobs only later commits introduced are not attributed.
  public var incomplete: String?
  private var paths: [String] = []
  /// Sorted by blob, then earliest commit date first.
  private var records: [Record] = []

  /// Introductions of `blob`, earliest by commit date first (ties go to the
  /// older commit in history order).
  func introductions(_ blob: String) -> [Introduction] {
    guard let id = ObjectID(blob) else { return [] }
    var i = lowerBound(id)
    var out: [Introduction] = []
    while i < records.count, records[i].blob == id {
      out.append(Introduction(commit: Int(records[i].commit), path: paths[Int(records[i].path)]))
      i += 1
    }
    return out
  }

  /// The earliest introduction.
  func first(_ blob: String) -> Introduction? {
    guard let id = ObjectID(blob) else { return nil }
    let i = lowerBound(id)
    guard i < records.count, records[i].blob == id else { return nil }
    return Introduction(commit: Int(records[i].commit), path: paths[Int(records[i].path)])
  }

  func contains(_ blob: String) -> Bool { first(blob) != nil }

  /// Every blob history introduced, once each, in id order.
  var blobIDs: [String] {
    var out: [String] = []
    var previous: ObjectID?
    for r in records where r.blob != previous {
      previous = r.blob
      out.append(r.blob.hex)
    }
    return out
  }

  /// How many blobs history names that are not among `listed` (a snapshot
  /// without its large files, a damaged clone).
  func blobsMissing(from listed: [String]) -> Int {
    let present = Set(listed.compactMap(ObjectID.init))
    var missing = 0
    var previous: ObjectID?
    for r in records where r.blob != previous {
      previous = r.blob
      if !present.contains(r.blob) { missing += 1 }
    }
    return missing
  }

  private func lowerBound(_ id: ObjectID) -> Int {
    var lo = 0
    var hi = records.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if records[mid].blob < id { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  /// Fed `git log --raw` in its order (newest first), line by line.
  struct Builder {
    private var result = Attribution()
    private var pathNumbers: [String: Int32] = [:]

    mutating func commit(_ info: CommitInfo) {
      result.commits.append(info)
    }

    mutating func introduce(_ blob: ObjectID, path raw: ArraySlice<UInt8>) {
      guard !result.commits.isEmpty else { return }
      let path = GitPath.text(Array(raw))
      let number: Int32
      if let known = pathNumbers[path] {
        number = known
      } else {
        number = Int32(result.paths.count)
        result.paths.append(path)
        pathNumbers[path] = number
      }
      result.records.append(Record(blob: blob, commit: Int32(result.commits.count - 1), path: number))
    }

    /// Sorts by blob, then commit date; git log lists newer commits first,
    /// so of two equal dates the later-listed commit is the older one.
    consuming func finish() -> Attribution {
      let times = result.commits.map(\.time)
      result.records.sort { a, b in
        if a.blob != b.blob { return a.blob < b.blob }
        let (ta, tb) = (times[Int(a.commit)], times[Int(b.commit)])
        return ta != tb ? ta < tb : a.commit > b.commit
      }
      return result
    }
  }
}
