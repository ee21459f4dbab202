//! A minimal RFC 4180 reader for IEEE's registry CSV files: comma-separated fields,
//! quoted fields with doubled quotes and embedded line breaks, LF or CRLF line ends.
//! Fields borrow from the text unless they contain a doubled quote.

use std::borrow::Cow;

/// One record: the 1-based line it starts on and its fields.
pub(super) type Record<'a> = (usize, Vec<Cow<'a, str>>);

/// An error: the line it was found on and what is wrong.
pub(super) type Error = (usize, &'static str);

/// Iterates the records of a CSV text. After an error it yields nothing more.
pub(super) struct Records<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    failed: bool,
}

impl<'a> Records<'a> {
    /// Reads `text` from its start.
    pub(super) fn new(text: &'a str) -> Records<'a> {
        Records {
            text,
            pos: 0,
            line: 1,
            failed: false,
        }
    }

    /// Reads one field at `self.pos`; returns it and whether the record ends after it.
    fn field(&mut self) -> Result<(Cow<'a, str>, bool), Error> {
        let rest = self.text.get(self.pos..).unwrap_or_default();
        if let Some(quoted) = rest.strip_prefix('"') {
            let start_line = self.line;
            let mut value: Option<String> = None;
            let mut from = 0;
            let bytes = quoted.as_bytes();
            let mut i = 0;
            loop {
                match bytes.get(i) {
                    None => return Err((start_line, "unterminated quoted field")),
                    Some(b'\n') => {
                        self.line += 1;
                        i += 1;
                    }
                    Some(b'"') if bytes.get(i + 1) == Some(&b'"') => {
                        let v = value.get_or_insert_with(String::new);
                        v.push_str(quoted.get(from..=i).unwrap_or_default());
                        i += 2;
                        from = i;
                    }
                    Some(b'"') => break,
                    Some(_) => i += 1,
                }
            }
            let tail = quoted.get(from..i).unwrap_or_default();
            let field = match value {
                Some(mut v) => {
                    v.push_str(tail);
                    Cow::Owned(v)
                }
                None => Cow::Borrowed(tail),
            };
            // Skip the closing quote, then allow spaces before the separator.
            self.pos += 1 + i + 1;
            let after = self.text.get(self.pos..).unwrap_or_default();
            let trimmed = after.trim_start_matches([' ', '\t']);
            self.pos += after.len() - trimmed.len();
            let ends = self.separator()?;
            Ok((field, ends))
        } else {
            let end = rest.find([',', '\n']).unwrap_or(rest.len());
            let field = rest.get(..end).unwrap_or_default();
            let field = field.strip_suffix('\r').unwrap_or(field);
            self.pos += end;
            let ends = self.separator()?;
            Ok((Cow::Borrowed(field), ends))
        }
    }

    /// Consumes the separator after a field: `,` (more fields follow), a line end or
    /// the end of the text (the record ends).
    fn separator(&mut self) -> Result<bool, Error> {
        let rest = self.text.get(self.pos..).unwrap_or_default();
        if rest.starts_with(',') {
            self.pos += 1;
            Ok(false)
        } else if rest.starts_with("\r\n") {
            self.pos += 2;
            self.line += 1;
            Ok(true)
        } else if rest.starts_with('\n') {
            self.pos += 1;
            self.line += 1;
            Ok(true)
        } else if rest.is_empty() {
            Ok(true)
        } else {
            Err((self.line, "text after a closing quote"))
        }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.text.len() {
            return None;
        }
        let line = self.line;
        let mut fields = Vec::with_capacity(4);
        loop {
            match self.field() {
                Ok((field, ends)) => {
                    fields.push(field);
                    if ends {
                        return Some(Ok((line, fields)));
                    }
                }
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<Result<Record<'_>, Error>> {
        Records::new(text).collect()
    }

    #[test]
    fn fields_and_lines() {
        let r = all("a,b,c\r\n\"x,y\",\"he said \"\"hi\"\"\",\n\"multi\nline\",z");
        assert_eq!(r.len(), 3);
        let (line, f) = r[0].as_ref().unwrap();
        assert_eq!((*line, f.len()), (1, 3));
        let (line, f) = r[1].as_ref().unwrap();
        assert_eq!(*line, 2);
        assert_eq!(f[0], "x,y");
        assert_eq!(f[1], "he said \"hi\"");
        assert_eq!(f[2], "");
        let (line, f) = r[2].as_ref().unwrap();
        assert_eq!(*line, 3);
        assert_eq!(f[0], "multi\nline");
        assert_eq!(f[1], "z");
    }

    #[test]
    fn errors() {
        assert_eq!(
            all("a\n\"open\nstill")[1],
            Err((2, "unterminated quoted field"))
        );
        assert_eq!(all("\"a\"b,c")[0], Err((1, "text after a closing quote")));
        // Nothing after an error.
        assert_eq!(all("\"a\"b\nc\n").len(), 1);
    }

    #[test]
    fn blank_line_is_one_empty_field() {
        let r = all("a\n\nb\n");
        assert_eq!(r.len(), 3);
        assert_eq!(r[1].as_ref().unwrap().1, vec![Cow::Borrowed("")]);
    }
}
