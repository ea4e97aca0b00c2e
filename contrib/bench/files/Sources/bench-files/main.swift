// Benchmark of the csv and xml connectors against real readers doing the same job on the same
// generated ~200 MB files (see README.md):
//
//   bench-files [--size-mb N] [--seed N] [--rounds N] [--dir DIR] [--python-peer FILE]
//   bench-files phase NAME FILE               one measurement in this process (used by the above)
//
// Every phase runs alone in its own process, so that its peak RSS is its own; the Python peer
// (csv_dictreader.py) is one of them. The rates use CPU time; the ratios are the medians over the
// rounds of each round's ratio, so that a slow spell of the shared machine moves both sides.
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

struct Options {
    var sizeMB = 200
    var seed: UInt64 = 1
    var rounds = 3
    var dir = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-bench-files").path
    /// The Python peer, next to this package's manifest.
    var pythonPeer = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("csv_dictreader.py").path
}

func loadAverage() -> String {
    let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

/// Runs one phase in a child process (this binary, or the Python peer) and reads its figures.
func run(_ name: String, _ path: String, options: Options) throws -> Figures {
    let p = Process()
    if name == "python" {
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", options.pythonPeer, path]
    } else {
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        p.arguments = ["phase", name, path]
    }
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { fatalError("phase \(name) failed (exit \(p.terminationStatus))") }
    return try JSONDecoder().decode(Figures.self, from: data)
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func cell(_ text: String, _ width: Int) -> String {
    text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0)
}

func driver(_ options: Options) throws {
    let t0 = Date()
    let (csv, xml) = try generateFiles(sizeMB: options.sizeMB, seed: options.seed, dir: options.dir)
    print(
        String(
            format: "files in %@ (seed %llu, generated or reused in %.1f s): csv %d MB, xml %d MB", options.dir,
            options.seed, Date().timeIntervalSince(t0), fileSize(csv) >> 20, fileSize(xml) >> 20))
    print("load average before: \(loadAverage()) (\(ProcessInfo.processInfo.activeProcessorCount) cores)")

    // Label, phase, file. Each round runs them all, in this order.
    let phases: [(label: String, name: String, file: String)] = [
        ("csv", "csv", csv), ("python csv.DictReader", "python", csv), ("CSV.swift 2.5.2", "csv.swift", csv),
        ("SwiftCSV 0.10.0", "swiftcsv", csv), ("line split", "lines", csv), ("csv, one week", "csv-week", csv),
        ("xml", "xml", xml), ("libxml2 reader loop", "libxml2", xml), ("xml, one week", "xml-week", xml),
    ]
    var figures: [String: [Figures]] = [:]
    for round in 1...options.rounds {
        for p in phases { figures[p.name, default: []].append(try run(p.name, p.file, options: options)) }
        // This round's own ratios too (the verdicts use their median): how much the load moves them.
        func last(_ n: String) -> Double { figures[n]!.last!.cpuSeconds }
        print(
            String(
                format: "round %d of %d done, load average %@; csv / python %.2f×, xml / libxml2 %.2f×", round,
                options.rounds, loadAverage(), last("python") / last("csv"), last("libxml2") / last("xml")))
        fflush(nil)  // progress shows when the output is a file
    }

    print("")
    print(
        "each phase alone in its own process; medians of \(options.rounds) rounds; rates per CPU-second (user + system)"
    )
    let widths = [23, 10, 8, 8, 11, 8, 10]
    print(
        zip(["phase", "rows", "wall s", "cpu s", "rows/s", "MB/s", "peak RSS"], widths).map { cell($0, $1) }.joined())
    for p in phases {
        let fs = figures[p.name]!
        let cpu = median(fs.map(\.cpuSeconds))
        let cells = [
            p.label, String(fs[0].rows), String(format: "%.2f", median(fs.map(\.seconds))), String(format: "%.2f", cpu),
            String(format: "%.0f", Double(fs[0].rows) / cpu),
            String(format: "%.1f", Double(fs[0].bytes) / 1_048_576 / cpu),
            String(format: "%.1f MB", Double(fs.map(\.peakRSSKB).max()!) / 1024),
        ]
        print(zip(cells, widths).map { cell($0, $1) }.joined())
    }
    let rows = figures["csv"]![0].rows
    for name in ["python", "csv.swift", "swiftcsv", "lines"] {
        precondition(figures[name]![0].rows == rows, "\(name) read \(figures[name]![0].rows) rows, csv \(rows)")
    }
    precondition(figures["xml"]![0].rows == figures["libxml2"]![0].rows, "xml items ≠ libxml2 item elements")

    /// The median over rounds of `peer` CPU time / `ours` CPU time (rows are the same).
    func ratio(_ ours: String, _ peer: String) -> Double {
        median(zip(figures[ours]!, figures[peer]!).map { $1.cpuSeconds / $0.cpuSeconds })
    }
    func verdict(_ met: Bool) -> String { met ? "met" : "MISSED" }
    let python = ratio("csv", "python"), csvSwift = ratio("csv", "csv.swift"), swiftCSV = ratio("csv", "swiftcsv")
    let libxml2 = ratio("xml", "libxml2")
    // The engine reads a job's window chunk by chunk: the peak that counts is one chunk's read.
    let peak = ["csv-week", "xml-week"].map { n in figures[n]!.map(\.peakRSSKB).max()! }.max()!
    print("")
    print("rows per CPU-second, connector / peer (median of the rounds' ratios):")
    print(String(format: "  csv / python csv.DictReader  %5.2f×  target ≥ 3×     %@", python, verdict(python >= 3)))
    print(String(format: "  csv / CSV.swift              %5.2f×  target > 1×     %@", csvSwift, verdict(csvSwift > 1)))
    print(String(format: "  csv / SwiftCSV               %5.2f×  target > 1×     %@", swiftCSV, verdict(swiftCSV > 1)))
    print(String(format: "  xml / libxml2 reader loop    %5.2f×  target ≥ 0.5×   %@", libxml2, verdict(libxml2 >= 0.5)))
    print(
        String(
            format: "  peak RSS reading one week's chunk, csv and xml: %.1f MB    target ≤ 64 MB  %@",
            Double(peak) / 1024, verdict(peak <= 64 << 10)))
    print("load average after: \(loadAverage())")
}

var args = Array(CommandLine.arguments.dropFirst())
if args.first == "phase", args.count == 3, swiftPhases.contains(args[1]) {
    try phase(args[1], args[2])
} else {
    var options = Options()
    func usage() -> Never {
        print("usage: bench-files [--size-mb N] [--seed N] [--rounds N] [--dir DIR] [--python-peer FILE]")
        exit(64)
    }
    while !args.isEmpty {
        let a = args.removeFirst()
        guard let v = args.first else { usage() }
        args.removeFirst()
        switch a {
        case "--size-mb": options.sizeMB = Int(v) ?? { usage() }()
        case "--seed": options.seed = UInt64(v) ?? { usage() }()
        case "--rounds": options.rounds = Int(v).flatMap { $0 > 0 ? $0 : nil } ?? { usage() }()
        case "--dir": options.dir = v
        case "--python-peer": options.pythonPeer = v
        default: usage()
        }
    }
    try driver(options)
}
