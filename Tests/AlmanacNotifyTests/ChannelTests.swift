import AlmanacCore
import AlmanacNotify
import Foundation
import Testing

@Suite("Notification channels and report", .timeLimit(.minutes(10)))
struct ChannelTests {
    static let report = RunReport(
        runID: "r-1", profile: "clinic", job: "main", trigger: .schedule, dryRun: false,
        started: Date(timeIntervalSince1970: 2_000_000_000), finished: Date(timeIntervalSince1970: 2_000_000_005),
        result: .failed, errorCode: "csv.path_missing", error: "/data/in.csv does not exist")

    /// RFC 4231 test cases 1 and 2, and a key longer than a block (case 6).
    @Test func hmacMatchesRFC4231() {
        let key1 = [UInt8](repeating: 0x0b, count: 20)
        #expect(
            SHA256.hexString(HMACSHA256.digest(key: key1, message: Array("Hi There".utf8)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(
            HMACSHA256.hex(key: "Jefe", message: Array("what do ya want for nothing?".utf8))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let key6 = [UInt8](repeating: 0xaa, count: 131)
        let msg6 = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        #expect(
            SHA256.hexString(HMACSHA256.digest(key: key6, message: msg6))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func theReportIsVersionedJSON() throws {
        let n = Notification(event: .failure, report: Self.report, since: Self.report.started)
        let object = try #require(try JSONSerialization.jsonObject(with: n.json()) as? [String: Any])
        #expect(object["v"] as? Int == 1)
        #expect(object["event"] as? String == "failure")
        #expect(object["profile"] as? String == "clinic")
        #expect(object["job"] as? String == "main")
        #expect(object["run_id"] as? String == "r-1")
        #expect(object["since"] as? String == "2033-05-18T03:33:20Z")
        #expect(
            (object["error"] as? [String: String]) == [
                "code": "csv.path_missing", "message": "/data/in.csv does not exist",
            ])
        #expect(object["retry"] as? String == "almanac sync clinic --job main")
        #expect(((object["counts"] as? [String: Any])?["to"] as? [String: Int])?["created"] == 0)
        #expect(try Notification.decode(n.json()).json() == n.json())
    }

    /// A `conflict` notice's mail: the count in the subject, each pair listed, where to see all.
    @Test func theConflictMailListsThePairs() {
        let a = ConflictAppointment(
            keyFrom: "a1", keyTo: "e1", title: "Checkup", start: "2033-05-18T09:00:00Z", end: "2033-05-18T10:00:00Z",
            allDay: false)
        let b = ConflictAppointment(
            keyFrom: "a2", keyTo: nil, title: nil, start: "2033-05-18T09:30:00Z", end: "2033-05-18T10:30:00Z",
            allDay: false)
        let pair = ScheduleConflict(job: "main", field: "custom.room", value: "room 1", first: a, second: b)
        var n = Notification(event: .conflict, report: Self.report, since: nil)
        n.conflicts = ConflictSummary(Array(repeating: pair, count: 12))
        let text = MailText(n)
        #expect(text.subject == "[almanac] clinic/main: 12 schedule conflicts")
        for line in [
            "Schedule conflicts: 12",
            "  custom.room = room 1: \"Checkup\" [a1] 2033-05-18T09:00:00Z–2033-05-18T10:00:00Z overlaps [a2] 2033-05-18T09:30:00Z–2033-05-18T10:30:00Z",
            "  and 2 more", "All of them: almanac conflicts clinic --job main",
        ] {
            #expect(text.body.contains(line + "\r\n"), "missing: \(line)")
        }
        let json = String(decoding: n.json(), as: UTF8.self)
        #expect(json.contains("\"event\":\"conflict\"") && json.contains("\"more\":2"))
    }

    @Test func theMailSaysWhatToDo() {
        let n = Notification(event: .failure, report: Self.report, since: Self.report.started)
        let text = MailText(n)
        #expect(text.subject == "[almanac] clinic/main: failing")
        for line in [
            "Profile: clinic", "Job:     main", "Since:   2033-05-18T03:33:20Z", "Last error (csv.path_missing):",
            "  /data/in.csv does not exist", "  almanac sync clinic --job main",
        ] {
            #expect(text.body.contains(line + "\r\n"), "missing: \(line)")
        }
        let message = String(decoding: text.message(from: "a@b.example", to: ["o@x.example"]), as: UTF8.self)
        #expect(
            message.hasPrefix("From: a@b.example\r\nTo: o@x.example\r\nSubject: [almanac] clinic/main: failing\r\n"))
        #expect(message.contains("\r\n\r\nProfile: clinic\r\n"))
    }

    @Test func theCommandGetsTheReportOnStdin() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("notify-cmd-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let body = Notification(event: .failure, report: Self.report, since: nil).json()
        let status = try CommandChannel(argv: ["/bin/sh", "-c", "cat > \(dir)/got"], timeout: .seconds(10)).send(body)
        #expect(status == 0)
        #expect(FileManager.default.contents(atPath: dir + "/got") == body)
    }

    @Test func aFailingOrSlowCommandIsAnError() {
        let body = Data("{}".utf8)
        #expect(throws: AlmanacError.self) {
            try CommandChannel(argv: ["/bin/sh", "-c", "exit 3"], timeout: .seconds(5)).send(body)
        }
        do {
            try CommandChannel(argv: ["/bin/sh", "-c", "exit 3"], timeout: .seconds(5)).send(body)
        } catch let e as AlmanacError {
            #expect(e.code == .notifyCommandFailed)
            #expect(e.message == "/bin/sh exited with status 3")
        } catch {}
        let started = Date()
        do {
            try CommandChannel(argv: ["/bin/sleep", "30"], timeout: .seconds(1)).send(body)
            Issue.record("a command past its timeout must fail")
        } catch let e as AlmanacError {
            #expect(e.message == "/bin/sleep did not finish within 1s (command_timeout): killed")
        } catch {}
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(throws: AlmanacError.self) {
            try CommandChannel(argv: ["/nonexistent/notify"], timeout: .seconds(5)).send(body)
        }
    }
}
