import AlmanacCore

/// A row's participants as its cells are read, the same for every source: participant N is in
/// the list when one of its `participant_N_…` values is (not NULL, not empty), at its place among
/// the numbers that are (gaps closed up, order kept), whatever order the cells come in.
struct ParticipantList {
    private(set) var participants: [Participant] = []
    /// The participant numbers in the list, one bit each.
    private var numbers: UInt64 = 0

    /// Sets `attribute` of participant `n` from a value's non-empty `text`, as
    /// `ParticipantAttribute.set` reads it. False when the text is not a response.
    mutating func set(_ text: String, _ attribute: StandardField.ParticipantAttribute, of n: Int) -> Bool {
        let bit: UInt64 = 1 << UInt64(n)
        let index = (numbers & (bit - 1)).nonzeroBitCount
        if numbers & bit == 0 {
            numbers |= bit
            if index == participants.count {
                participants.append(Participant())
            } else {
                participants.insert(Participant(), at: index)
            }
        }
        return attribute.set(text, on: &participants[index])
    }
}
