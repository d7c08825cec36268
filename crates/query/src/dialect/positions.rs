//! Positions in the rewritten text mapped back to the user's, and line/column arithmetic.

/// The rewritten query and the edits made, to map positions back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    pub sql: String,
    /// (offset in rewritten text, offset in original text), one per edit, ascending.
    pub(super) edits: Vec<(usize, usize)>,
}

/// The offset in the original text of `rewritten`, an offset in the rewritten text, by the
/// edits made so far.
pub(super) fn original_offset(edits: &[(usize, usize)], rewritten: usize) -> usize {
    let mut delta: isize = 0;
    for &(new, old) in edits {
        if new > rewritten {
            break;
        }
        delta = old as isize - new as isize;
    }
    (rewritten as isize + delta).max(0) as usize
}

impl Rewritten {
    /// The 1-based (line, column) in `original` for a (line, column) in the rewritten text.
    pub fn original_line_col(&self, original: &str, line: usize, column: usize) -> (usize, usize) {
        line_col(
            original,
            self.original_offset(offset_of(&self.sql, line, column)),
        )
    }

    /// The byte offset in the original text for a byte offset in the rewritten one.
    pub fn original_offset(&self, rewritten: usize) -> usize {
        original_offset(&self.edits, rewritten)
    }
}

/// 1-based (line, column) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    // An offset mapped back from the rewritten text may fall inside a character.
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Byte offset of 1-based (line, column) in `text`.
pub fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(col.saturating_sub(1))
                    .map_or(l.len(), |(o, _)| o);
        }
        offset += l.len();
    }
    text.len()
}
