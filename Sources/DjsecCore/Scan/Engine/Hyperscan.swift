// The only file that calls Hyperscan. Every rule's pattern goes into one
// block-mode database, compiled once; a scan reports (rule, end offset) hits
// that the precise matcher (PCRE2.swift) then confirms.
internal import CHyperscan

#if canImport(Glibc)
  import Glibc
#endif

/// One compiled database. Immutable after compilation, so one instance is
/// shared by every worker thread; each thread brings its own scratch.
final class HyperscanDatabase: @unchecked Sendable {
  private let database: OpaquePointer

  struct CompileFailure: Error {
    let index: Int
    let message: String
  }

  /// Compiles every expression in prefilter mode: Hyperscan may then report a
  /// superset of the real matches (it relaxes what it cannot do exactly, such
  /// as back-references), never fewer, which is what a prefilter must promise.
  /// `ids[i]` is what a match of `expressions[i]` reports (the rule's index).
  init(expressions: [String], ids: [Int]) throws(CompileFailure) {
    var database: OpaquePointer?
    var failure: UnsafeMutablePointer<hs_compile_error_t>?
    let flags = [UInt32](repeating: UInt32(HS_FLAG_PREFILTER | HS_FLAG_ALLOWEMPTY), count: expressions.count)
    let ids = ids.map(UInt32.init)
    let cStrings = expressions.map { strdup($0) }
    defer { cStrings.forEach { free($0) } }
    let status = cStrings.map { UnsafePointer<CChar>($0) }.withUnsafeBufferPointer { exprs in
      hs_compile_multi(
        exprs.baseAddress, flags, ids, UInt32(expressions.count), UInt32(HS_MODE_BLOCK), nil, &database, &failure)
    }
    guard status == HS_SUCCESS, let database else {
      let message = failure.map { String(cString: $0.pointee.message) } ?? "hs_compile_multi failed (\(status))"
      let position = failure.map { Int($0.pointee.expression) } ?? 0
      let index = position >= 0 && position < ids.count ? Int(ids[position]) : 0
      if let failure { hs_free_compile_error(failure) }
      throw CompileFailure(index: max(0, index), message: message)
    }
    self.database = database
  }

  deinit { hs_free_database(database) }

  func makeScratch() -> HyperscanScratch {
    var scratch: OpaquePointer?
    let status = hs_alloc_scratch(database, &scratch)
    precondition(status == HS_SUCCESS && scratch != nil, "hs_alloc_scratch failed: \(status)")
    return HyperscanScratch(scratch!)
  }

  /// Appends a hit for every match end in `bytes` to `hits`.
  func scan(_ bytes: UnsafeRawBufferPointer, scratch: HyperscanScratch, into hits: HitCollector) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    let context = Unmanaged.passUnretained(hits).toOpaque()
    _ = hs_scan(
      database, base.assumingMemoryBound(to: CChar.self), UInt32(min(bytes.count, Int(UInt32.max))), 0, scratch.pointer,
      { id, _, to, _, context in
        // A C callback captures nothing: the collector travels in `context`.
        let hits = Unmanaged<HitCollector>.fromOpaque(context!).takeUnretainedValue()
        hits.add(rule: Int(id), end: Int(to))
        return 0
      }, context)
  }
}

/// Per-thread working memory for Hyperscan.
final class HyperscanScratch {
  fileprivate let pointer: OpaquePointer
  fileprivate init(_ pointer: OpaquePointer) { self.pointer = pointer }
  deinit { hs_free_scratch(pointer) }
}

/// Where a scan's hits land. Bounded per rule: past `limit` hits of one rule in
/// one buffer the rest add no information (the windows already cover it).
final class HitCollector {
  private(set) var ends: [[Int]]
  private let limit: Int

  init(ruleCount: Int, limit: Int = 4096) {
    ends = Array(repeating: [], count: ruleCount)
    self.limit = limit
  }

  func add(rule: Int, end: Int) {
    if ends[rule].count < limit { ends[rule].append(end) }
  }

  func reset() {
    for i in ends.indices where !ends[i].isEmpty { ends[i].removeAll(keepingCapacity: true) }
  }
}
