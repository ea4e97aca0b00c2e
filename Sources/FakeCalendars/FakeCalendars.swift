/// Google Calendar- and Cronofy-compatible servers with fault injection, for tests and the demo.
public enum FakeCalendars {}
