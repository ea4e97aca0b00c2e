import AlmanacCore
import AlmanacWorker
import Foundation
import Testing

@Suite("Connector registry")
struct ConnectorRegistryTests {
    @Test func theRegistryIsTheExplicitListOfKinds() {
        #expect(
            ConnectorRegistry.modules.map { $0.kind } == [
                "odbc", "csv", "xml", "google", "google_contacts", "cronofy", "exec",
            ])
        #expect(Set(ConnectorRegistry.modules.map { $0.kind }).count == ConnectorRegistry.modules.count)
        #expect(ConnectorRegistry.module(kind: "odbc")?.kind == "odbc")
        #expect(ConnectorRegistry.module(kind: "ical") == nil)
    }

    @Test func everyModuleDeclaresDocumentedSettings() {
        for module in ConnectorRegistry.modules {
            let all = module.connectionSettings + module.sourceSettings + module.targetSettings
            #expect(!module.summary.isEmpty)
            for spec in all {
                #expect(!spec.summary.isEmpty, "\(module.kind).\(spec.key) has no summary")
                #expect(spec.key != "connector", "\(module.kind) must not redeclare `connector`")
            }
            #expect(Set(module.connectionSettings.map(\.key)).count == module.connectionSettings.count)
        }
    }

    /// Each connector's README lists every setting its module declares.
    @Test func readmesListEverySetting() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folders = [
            "odbc": "ODBC", "csv": "CSV", "xml": "XML", "google": "GoogleCalendar",
            "google_contacts": "GoogleContacts", "cronofy": "Cronofy", "exec": "Exec",
        ]
        for module in ConnectorRegistry.modules {
            let readme = root.appendingPathComponent("Plugins/\(folders[module.kind]!)/README.md")
            let text = try String(contentsOf: readme, encoding: .utf8)
            for spec in module.connectionSettings + module.sourceSettings + module.targetSettings {
                let names = spec.kind == .secret ? [spec.key + "_file", spec.key + "_env"] : [spec.key]
                for name in names {
                    #expect(
                        text.contains("`\(name)`"),
                        "Plugins/\(folders[module.kind]!)/README.md does not document `\(name)`")
                }
            }
        }
    }
}
