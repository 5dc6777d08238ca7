//! A small CSV reader that knows where it is, for spreadsheet exports (RVTools sheets).
//!
//! It reads the CSV that spreadsheet programs write (RFC 4180): fields separated by commas,
//! or by semicolons or tabs where the locale makes the comma a decimal mark (the separator is
//! the one of the three the header row uses most); fields in double quotes may hold
//! separators, line breaks and doubled quotes (`""`); lines end in LF or CRLF; a UTF-8 byte
//! order mark before the header is skipped. Every record keeps the line it starts on, so a
//! bad value is reported as `line L, column "NAME"`. A quote that is never closed, or one in
//! the middle of an unquoted field, is an error rather than a guess.

use super::LiveError;

/// One row: the line it starts on (1-based) and its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The line the record starts on.
    pub line: usize,
    /// Its fields, unquoted.
    pub fields: Vec<String>,
}

const HELP: &str = "save the sheet again as CSV from the spreadsheet program, unchanged";

fn separator(text: &str) -> char {
    let header = text.lines().next().unwrap_or_default();
    let count = |c: char| header.chars().filter(|x| *x == c).count();
    [',', ';', '\t']
        .into_iter()
        .max_by_key(|c| (count(*c), *c == ','))
        .unwrap_or(',')
}

/// Parses `text` (the file `file`) into records, the header first. Blank lines are skipped.
pub fn parse(file: &str, text: &str) -> Result<Vec<Record>, LiveError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let sep = separator(text);
    let error = |line: usize, message: &str| LiveError {
        file: file.to_string(),
        at: format!("line {line}"),
        message: message.to_string(),
        help: HELP.to_string(),
    };
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        loop {
            let Some(c) = chars.next() else {
                fields.push(std::mem::take(&mut field));
                break;
            };
            match c {
                '"' if field.is_empty() && !quoted => {
                    quoted = true;
                    loop {
                        match chars.next() {
                            None => return Err(error(start, "a quoted field is never closed")),
                            Some('"') if chars.peek() == Some(&'"') => {
                                chars.next();
                                field.push('"');
                            }
                            Some('"') => break,
                            Some(c) => {
                                line += usize::from(c == '\n');
                                field.push(c);
                            }
                        }
                    }
                }
                '"' => return Err(error(line, "a double quote inside an unquoted field")),
                c if c == sep => {
                    fields.push(std::mem::take(&mut field));
                    quoted = false;
                }
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' => {
                    line += 1;
                    fields.push(std::mem::take(&mut field));
                    break;
                }
                c if quoted => {
                    return Err(error(
                        line,
                        &format!("{c:?} after a closing quote; a field ends at its quote"),
                    ));
                }
                c => field.push(c),
            }
        }
        if !(fields.len() == 1 && fields[0].is_empty()) {
            records.push(Record { line: start, fields });
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<(usize, Vec<String>)> {
        parse("t.csv", text)
            .unwrap()
            .into_iter()
            .map(|r| (r.line, r.fields))
            .collect()
    }

    fn row(line: usize, cells: &[&str]) -> (usize, Vec<String>) {
        (line, cells.iter().map(|c| c.to_string()).collect())
    }

    #[test]
    fn quotes_hold_separators_line_breaks_and_quotes() {
        let text = "\u{feff}VM,Note\r\n\"a,b\",\"two\r\nlines\"\r\n\r\nc,\"say \"\"hi\"\"\"\r\n";
        assert_eq!(
            fields(text),
            vec![
                row(1, &["VM", "Note"]),
                row(2, &["a,b", "two\r\nlines"]),
                row(5, &["c", "say \"hi\""]),
            ]
        );
    }

    #[test]
    fn semicolons_separate_when_the_header_uses_them() {
        assert_eq!(
            fields("VM;Memory\nweb,1;4096"),
            vec![row(1, &["VM", "Memory"]), row(2, &["web,1", "4096"])]
        );
    }

    #[test]
    fn broken_quotes_are_errors_with_a_line() {
        let err = parse("t.csv", "VM\n\"open\nmore\n").unwrap_err();
        assert_eq!(
            (err.at.as_str(), err.message.as_str()),
            ("line 2", "a quoted field is never closed")
        );
        let err = parse("t.csv", "VM\nab\"c\n").unwrap_err();
        assert_eq!(err.at, "line 2");
        let err = parse("t.csv", "VM\n\"ab\"c\n").unwrap_err();
        assert_eq!(err.at, "line 2");
    }
}
