//! Record search query XML (`PeerGroupSearchRecords`) and its evaluator.

use std::cmp::Ordering;
use std::fmt;

use crate::attributes::{
    AttributeValue, RecordAttributes, ValueType, attribute_name, typed_value, valid_name,
    value_type,
};
use crate::datetime::DateTime;
use crate::error::{DocumentType, Error};
use crate::reader::{Element, Schema};
use crate::writer::Writer;
use crate::{MAX_DEPTH, XmlDocument, inherent_document_api};

/// A clause's `compare` attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Compare {
    /// `equal` (the default when the attribute is absent).
    #[default]
    Equal,
    /// `greater`.
    Greater,
    /// `greaterorequal`.
    GreaterOrEqual,
    /// `less`.
    Less,
    /// `lessorequal`.
    LessOrEqual,
    /// `notequal`.
    NotEqual,
}

impl Compare {
    /// The attribute value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Equal => "equal",
            Self::Greater => "greater",
            Self::GreaterOrEqual => "greaterorequal",
            Self::Less => "less",
            Self::LessOrEqual => "lessorequal",
            Self::NotEqual => "notequal",
        }
    }

    /// Parse the attribute value (exact, lowercase).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Equal,
            Self::Greater,
            Self::GreaterOrEqual,
            Self::Less,
            Self::LessOrEqual,
            Self::NotEqual,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }

    /// Whether `ordering` (record value compared with clause value) satisfies this compare.
    #[must_use]
    pub fn holds(self, ordering: Ordering) -> bool {
        match self {
            Self::Equal => ordering == Ordering::Equal,
            Self::NotEqual => ordering != Ordering::Equal,
            Self::Less => ordering == Ordering::Less,
            Self::LessOrEqual => ordering != Ordering::Greater,
            Self::Greater => ordering == Ordering::Greater,
            Self::GreaterOrEqual => ordering != Ordering::Less,
        }
    }
}

impl fmt::Display for Compare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One piece of a string clause value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PatternItem {
    /// `*`: zero or more characters.
    AnyString,
    /// `?`: exactly one character (Unicode scalar value).
    AnyChar,
    /// Literal text (never empty; `\*`, `\?`, `\\` already unescaped).
    Literal(String),
}

/// A string clause value: literal text with `*` and `?` wildcards.
///
/// Kept normalised (adjacent literals merged, no empty literal) so that equal patterns
/// are equal values and `from_escaped(p.to_escaped()) == p`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pattern {
    items: Vec<PatternItem>,
}

/// Why an escaped pattern was refused: the invalid sequence.
pub(crate) struct BadEscape(pub String);

impl Pattern {
    /// A pattern matching exactly `text` (no wildcards).
    #[must_use]
    pub fn literal(text: &str) -> Self {
        Self::from_items([PatternItem::Literal(text.to_owned())])
    }

    /// Build from items (normalised: adjacent literals are merged, empty ones dropped).
    #[must_use]
    pub fn from_items(items: impl IntoIterator<Item = PatternItem>) -> Self {
        let mut out: Vec<PatternItem> = Vec::new();
        for item in items {
            match item {
                PatternItem::Literal(s) if s.is_empty() => {}
                PatternItem::Literal(s) => match out.last_mut() {
                    Some(PatternItem::Literal(prev)) => prev.push_str(&s),
                    _ => out.push(PatternItem::Literal(s)),
                },
                other => out.push(other),
            }
        }
        Self { items: out }
    }

    pub(crate) fn parse_escaped(text: &str) -> Result<Self, BadEscape> {
        let mut items = Vec::new();
        let mut lit = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '*' | '?' => {
                    items.push(PatternItem::Literal(std::mem::take(&mut lit)));
                    items.push(if c == '*' {
                        PatternItem::AnyString
                    } else {
                        PatternItem::AnyChar
                    });
                }
                '\\' => match chars.next() {
                    Some(e @ ('*' | '?' | '\\')) => lit.push(e),
                    Some(other) => return Err(BadEscape(format!("\\{other}"))),
                    None => return Err(BadEscape("\\".to_owned())),
                },
                c => lit.push(c),
            }
        }
        items.push(PatternItem::Literal(lit));
        Ok(Self::from_items(items))
    }

    /// Parse a clause value as written in XML (after XML unescaping): `*` and `?` are
    /// wildcards, `\*`, `\?`, `\\` stand for the characters; `None` for any other
    /// backslash sequence (including a trailing lone backslash).
    #[must_use]
    pub fn from_escaped(text: &str) -> Option<Self> {
        Self::parse_escaped(text).ok()
    }

    /// The clause value text (wildcards bare, literal `*`, `?`, `\` escaped).
    #[must_use]
    pub fn to_escaped(&self) -> String {
        let mut out = String::new();
        for item in &self.items {
            match item {
                PatternItem::AnyString => out.push('*'),
                PatternItem::AnyChar => out.push('?'),
                PatternItem::Literal(s) => {
                    for c in s.chars() {
                        if matches!(c, '*' | '?' | '\\') {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                }
            }
        }
        out
    }

    /// The items, normalised.
    #[must_use]
    pub fn items(&self) -> &[PatternItem] {
        &self.items
    }

    /// Whether the pattern has no wildcard.
    #[must_use]
    pub fn is_literal(&self) -> bool {
        self.items
            .iter()
            .all(|i| matches!(i, PatternItem::Literal(_)))
    }

    /// The text used for ordering comparisons: literals as they are and each wildcard as
    /// the character it is written with (`*` or `?`).
    #[must_use]
    pub fn comparison_text(&self) -> String {
        self.items
            .iter()
            .map(|i| match i {
                PatternItem::AnyString => "*",
                PatternItem::AnyChar => "?",
                PatternItem::Literal(s) => s,
            })
            .collect()
    }

    /// Whether `text` matches the whole pattern (case-sensitive, character by character).
    ///
    /// Iterative matching with one backtrack point: linear for patterns with at most one
    /// `*`, O(len(text) × len(pattern)) in the worst case, never recursive.
    #[must_use]
    pub fn matches(&self, text: &str) -> bool {
        #[derive(PartialEq)]
        enum Tok {
            Any,
            One,
            Ch(char),
        }
        let pat: Vec<Tok> = self
            .items
            .iter()
            .flat_map(|i| match i {
                PatternItem::AnyString => vec![Tok::Any],
                PatternItem::AnyChar => vec![Tok::One],
                PatternItem::Literal(s) => s.chars().map(Tok::Ch).collect(),
            })
            .collect();
        let text: Vec<char> = text.chars().collect();
        let (mut p, mut t) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match pat.get(p) {
                Some(Tok::One) => {
                    p += 1;
                    t += 1;
                }
                Some(Tok::Ch(c)) if *c == text[t] => {
                    p += 1;
                    t += 1;
                }
                Some(Tok::Any) => {
                    star = Some((p, t));
                    p += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        p = sp + 1;
                        t = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        pat[p..].iter().all(|tok| *tok == Tok::Any)
    }
}

/// A clause's typed value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClauseValue {
    /// `type="date"`.
    Date(DateTime),
    /// `type="int"`.
    Int(i32),
    /// `type="string"`, with wildcards.
    String(Pattern),
}

impl ClauseValue {
    /// The value's type.
    #[must_use]
    pub fn value_type(&self) -> ValueType {
        match self {
            Self::Date(_) => ValueType::Date,
            Self::Int(_) => ValueType::Int,
            Self::String(_) => ValueType::String,
        }
    }
}

/// `<clause attrib="…" type="…" compare="…">value</clause>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Clause {
    /// `attrib`: the attribute name (custom or reserved), alphanumeric.
    pub attribute: String,
    /// `compare` (default [`Compare::Equal`]).
    pub compare: Compare,
    /// The typed value (its variant gives `type`).
    pub value: ClauseValue,
}

impl Clause {
    /// Whether a record whose attribute `self.attribute` has `value` (`None`: the record
    /// lacks it) satisfies the clause.
    ///
    /// * A missing attribute, or one of another type than the clause, never matches (not
    ///   even `notequal`).
    /// * `int`: numeric comparison. `date`: comparison of instants
    ///   ([`DateTime::cmp_instant`]).
    /// * `string` with `equal` / `notequal`: wildcard match / its negation.
    /// * `string` with `less`, `greater`, `lessorequal`, `greaterorequal`: ordinal
    ///   comparison (Unicode code points, case-sensitive) of the record value with
    ///   [`Pattern::comparison_text`], i.e. wildcards count as the literal `*` / `?`.
    #[must_use]
    pub fn matches(&self, value: Option<&AttributeValue>) -> bool {
        match (&self.value, value) {
            (ClauseValue::String(p), Some(AttributeValue::String(s))) => match self.compare {
                Compare::Equal => p.matches(s),
                Compare::NotEqual => !p.matches(s),
                c => c.holds(s.as_str().cmp(p.comparison_text().as_str())),
            },
            (ClauseValue::Int(want), Some(AttributeValue::Int(have))) => {
                self.compare.holds(have.cmp(want))
            }
            (ClauseValue::Date(want), Some(AttributeValue::Date(have))) => {
                self.compare.holds(have.cmp_instant(want))
            }
            _ => false,
        }
    }
}

/// A node of the query tree.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SearchNode {
    /// `<and>`: all children match (at least one child).
    And(Vec<SearchNode>),
    /// `<clause>`.
    Clause(Clause),
    /// `<or>`: any child matches (at least one child).
    Or(Vec<SearchNode>),
}

impl SearchNode {
    fn eval<'a, F>(&self, lookup: &F) -> bool
    where
        F: Fn(&str) -> Option<&'a AttributeValue>,
    {
        match self {
            Self::And(children) => children.iter().all(|c| c.eval(lookup)),
            Self::Or(children) => children.iter().any(|c| c.eval(lookup)),
            Self::Clause(c) => c.matches(lookup(&c.attribute)),
        }
    }
}

/// `<peersearch>`: a record search query with exactly one top-level node.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SearchQuery {
    /// The single child of `<peersearch>`.
    pub root: SearchNode,
}

impl SearchQuery {
    /// Whether a record with these attributes matches.
    #[must_use]
    pub fn matches(&self, attributes: &RecordAttributes) -> bool {
        self.matches_with(|name| attributes.get(name))
    }

    /// Whether a record matches, looking attribute values up through `lookup` (name →
    /// value; the facade adds the reserved attributes such as `peercreationtime` here).
    #[must_use]
    pub fn matches_with<'a, F>(&self, lookup: F) -> bool
    where
        F: Fn(&str) -> Option<&'a AttributeValue>,
    {
        self.root.eval(&lookup)
    }
}

inherent_document_api!(SearchQuery);

fn read_node(schema: Schema, el: &Element) -> Result<SearchNode, Error> {
    match el.name.as_str() {
        "and" | "or" => {
            schema.bare_container(el)?;
            if el.children.is_empty() {
                return Err(Error::EmptyGroup {
                    document: schema.doc,
                    element: el.name.clone(),
                    position: el.pos,
                });
            }
            let children = el
                .children
                .iter()
                .map(|c| read_node(schema, c))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if el.name == "and" {
                SearchNode::And(children)
            } else {
                SearchNode::Or(children)
            })
        }
        "clause" => {
            schema.only_attributes(el, &["attrib", "type", "compare"])?;
            let attribute = attribute_name(schema, el, "attrib")?;
            let ty = value_type(schema, el)?;
            let compare = match schema.attribute(el, "compare") {
                None => Compare::Equal,
                Some(c) => Compare::from_name(c).ok_or_else(|| Error::AttributeValue {
                    document: schema.doc,
                    element: el.name.clone(),
                    attribute: "compare".to_owned(),
                    value: c.to_owned(),
                    position: el.pos,
                })?,
            };
            let text = schema.leaf_text(el)?;
            let value = match ty {
                ValueType::String => ClauseValue::String(Pattern::parse_escaped(text).map_err(
                    |BadEscape(sequence)| Error::InvalidEscape {
                        document: schema.doc,
                        sequence,
                        position: el.pos,
                    },
                )?),
                ValueType::Int | ValueType::Date => match typed_value(schema, el, ty, text)? {
                    AttributeValue::Int(i) => ClauseValue::Int(i),
                    AttributeValue::Date(d) => ClauseValue::Date(d),
                    AttributeValue::String(s) => ClauseValue::String(Pattern::literal(&s)),
                },
            };
            Ok(SearchNode::Clause(Clause {
                attribute: attribute.to_owned(),
                compare,
                value,
            }))
        }
        other => Err(Error::UnknownElement {
            document: schema.doc,
            element: other.to_owned(),
            parent: String::new(),
            position: el.pos,
        }),
    }
}

fn write_node(w: &mut Writer, depth: usize, node: &SearchNode) -> Result<(), Error> {
    // depth 0 is <peersearch>; element depth (root = 1) is depth + 1.
    if depth + 1 > MAX_DEPTH {
        return Err(w.invalid(
            "peersearch",
            format!("nesting deeper than {MAX_DEPTH} elements"),
        ));
    }
    match node {
        SearchNode::And(children) | SearchNode::Or(children) => {
            let name = if matches!(node, SearchNode::And(_)) {
                "and"
            } else {
                "or"
            };
            if children.is_empty() {
                return Err(w.invalid(name, "and/or needs at least one child"));
            }
            w.open(depth, name, &[])?;
            for c in children {
                write_node(w, depth + 1, c)?;
            }
            w.close(depth, name);
        }
        SearchNode::Clause(c) => {
            if !valid_name(&c.attribute) {
                return Err(w.invalid(
                    "clause",
                    format!("invalid attribute name '{}'", c.attribute),
                ));
            }
            let text = match &c.value {
                ClauseValue::Date(d) => d.to_string(),
                ClauseValue::Int(i) => i.to_string(),
                ClauseValue::String(p) => p.to_escaped(),
            };
            let attrs = [
                ("attrib", c.attribute.as_str()),
                ("type", c.value.value_type().as_str()),
                ("compare", c.compare.as_str()),
            ];
            w.leaf(depth, "clause", &attrs, &text)?;
        }
    }
    Ok(())
}

impl XmlDocument for SearchQuery {
    const DOCUMENT: DocumentType = DocumentType::SearchQuery;

    fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let (schema, root) = Schema::open(Self::DOCUMENT, bytes, "peersearch")?;
        schema.bare_container(&root)?;
        let mut children = root.children.iter();
        let Some(first) = children.next() else {
            return Err(Error::MissingElement {
                document: schema.doc,
                element: "clause|and|or".to_owned(),
                parent: root.name.clone(),
                position: root.pos,
            });
        };
        if let Some(extra) = children.next() {
            return Err(Error::ExtraElement {
                document: schema.doc,
                element: extra.name.clone(),
                parent: root.name.clone(),
                position: extra.pos,
            });
        }
        let node = read_node(schema, first).map_err(|e| match e {
            // Give unknown elements their parent's name.
            Error::UnknownElement {
                document,
                element,
                position,
                ..
            } => {
                let parent = find_parent(&root, position).unwrap_or_default();
                Error::UnknownElement {
                    document,
                    element,
                    parent,
                    position,
                }
            }
            other => other,
        })?;
        Ok(Self { root: node })
    }

    fn to_xml(&self) -> Result<Vec<u8>, Error> {
        let mut w = Writer::new(Self::DOCUMENT);
        w.open(0, "peersearch", &[])?;
        write_node(&mut w, 1, &self.root)?;
        w.close(0, "peersearch");
        Ok(w.finish())
    }
}

/// The name of the element whose child starts at `position`.
fn find_parent(el: &Element, position: usize) -> Option<String> {
    for c in &el.children {
        if c.pos == position {
            return Some(el.name.clone());
        }
        if let Some(found) = find_parent(c, position) {
            return Some(found);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::attributes::RecordAttribute;

    fn q(body: &str) -> Result<SearchQuery, Error> {
        SearchQuery::parse_str(&format!(
            "<peersearch xmlns:xs=\"https://www.w3.org/2001/XMLSchema\">{body}</peersearch>"
        ))
    }

    fn attrs(list: &[(&str, AttributeValue)]) -> RecordAttributes {
        RecordAttributes {
            attributes: list
                .iter()
                .map(|(n, v)| RecordAttribute {
                    name: (*n).to_owned(),
                    value: v.clone(),
                })
                .collect(),
        }
    }

    #[test]
    fn documented_example_shape() {
        let x = "<peersearch xmlns:xs=\"https://www.w3.org/2001/XMLSchema\">\n  <and>\n    <clause attrib=\"peercreatorid\" type=\"string\" compare=\"equal\">Bob*</clause>\n    <or>\n      <clause attrib=\"AuthExpires\" type=\"date\" compare=\"greaterorequal\">2002-01-31</clause>\n      <clause attrib=\"Size\" type=\"int\">5</clause>\n    </or>\n  </and>\n</peersearch>";
        let query = SearchQuery::parse_str(x).unwrap();
        let SearchNode::And(children) = &query.root else {
            panic!()
        };
        assert_eq!(children.len(), 2);
        let out = query.to_xml_string().unwrap();
        assert!(
            out.contains("<clause attrib=\"Size\" type=\"int\" compare=\"equal\">5</clause>"),
            "{out}"
        );
        assert_eq!(SearchQuery::parse_str(&out).unwrap(), query);
        assert!(query.matches(&attrs(&[
            ("peercreatorid", AttributeValue::String("Bobby".into())),
            ("Size", AttributeValue::Int(5)),
        ])));
        assert!(!query.matches(&attrs(&[
            ("peercreatorid", AttributeValue::String("Alice".into())),
            ("Size", AttributeValue::Int(5)),
        ])));
    }

    #[test]
    fn wildcards_and_escapes() {
        let p = |s| Pattern::from_escaped(s).unwrap();
        assert!(p("a*c").matches("abbbc"));
        assert!(p("a*c").matches("ac"));
        assert!(!p("a*c").matches("acb"));
        assert!(p("a?c").matches("abc"));
        assert!(p("a?c").matches("aéc"));
        assert!(!p("a?c").matches("ac"));
        assert!(p("*").matches(""));
        assert!(p("**?").matches("x"));
        assert!(!p("?").matches(""));
        assert!(p("a\\*").matches("a*"));
        assert!(!p("a\\*").matches("ab"));
        assert!(p("a\\?").matches("a?"));
        assert!(p("a\\\\").matches("a\\"));
        assert!(!p("abc").matches("ABC"));
        assert!(p("*a*b*a*").matches("xxaxxbxxbxxaxx"));
        assert_eq!(Pattern::from_escaped("a\\n"), None);
        assert_eq!(Pattern::from_escaped("a\\"), None);
        assert_eq!(p("a\\*b*").to_escaped(), "a\\*b*");
        assert_eq!(p("a\\*b*").comparison_text(), "a*b*");
        assert!(!p("a*").is_literal());
        assert!(p("a\\*").is_literal());
        assert_eq!(
            Pattern::from_items([
                PatternItem::Literal("a".into()),
                PatternItem::Literal(String::new()),
                PatternItem::Literal("b".into())
            ]),
            Pattern::literal("ab")
        );
    }

    #[test]
    fn invalid_escape_is_invalid_arg() {
        let e = q("<clause attrib=\"a\" type=\"string\">x\\y</clause>").unwrap_err();
        assert_eq!(e.variant_name(), "InvalidEscape");
        assert_eq!(e.kind(), ErrorKind::InvalidArg);
        let e = q("<clause attrib=\"a\" type=\"string\">x\\</clause>").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArg);
    }

    #[test]
    fn schema_errors_are_invalid_search() {
        for (body, want) in [
            ("", "MissingElement"),
            (
                "<clause attrib=\"a\" type=\"int\">1</clause><clause attrib=\"a\" type=\"int\">1</clause>",
                "ExtraElement",
            ),
            ("<and></and>", "EmptyGroup"),
            ("<or/>", "EmptyGroup"),
            ("<and><or/></and>", "EmptyGroup"),
            (
                "<clause attrib=\"a\" type=\"int\"><and><clause attrib=\"a\" type=\"int\">1</clause></and></clause>",
                "UnknownElement",
            ),
            (
                "<not><clause attrib=\"a\" type=\"int\">1</clause></not>",
                "UnknownElement",
            ),
            (
                "<and><clause attrib=\"a\" type=\"int\">1</clause><nand/></and>",
                "UnknownElement",
            ),
            (
                "<clause attrib=\"a\" type=\"int\" compare=\"like\">1</clause>",
                "AttributeValue",
            ),
            (
                "<clause attrib=\"a\" type=\"int\" compare=\"Equal\">1</clause>",
                "AttributeValue",
            ),
            (
                "<clause attrib=\"a\" type=\"bool\">1</clause>",
                "AttributeValue",
            ),
            ("<clause type=\"int\">1</clause>", "MissingAttribute"),
            ("<clause attrib=\"a\">1</clause>", "MissingAttribute"),
            (
                "<clause attrib=\"a-b\" type=\"int\">1</clause>",
                "RecordAttributeName",
            ),
            (
                "<clause attrib=\"a\" type=\"int\">one</clause>",
                "TypedValue",
            ),
            (
                "<clause attrib=\"a\" type=\"date\">yesterday</clause>",
                "TypedValue",
            ),
            (
                "<clause attrib=\"a\" type=\"int\" x=\"1\">1</clause>",
                "UnexpectedAttribute",
            ),
            (
                "<and x=\"1\"><clause attrib=\"a\" type=\"int\">1</clause></and>",
                "UnexpectedAttribute",
            ),
            (
                "<and>t<clause attrib=\"a\" type=\"int\">1</clause></and>",
                "TextNotAllowed",
            ),
            (
                "t<clause attrib=\"a\" type=\"int\">1</clause>",
                "TextNotAllowed",
            ),
        ] {
            let e = q(body).unwrap_err();
            assert_eq!(e.variant_name(), want, "{body}: {e}");
            assert_eq!(e.kind(), ErrorKind::InvalidSearch, "{body}");
        }
        let e = q("<clause attrib=\"a\" type=\"int\"><and/></clause>").unwrap_err();
        assert!(
            matches!(&e, Error::UnknownElement { parent, .. } if parent == "clause"),
            "{e}"
        );
    }

    #[test]
    fn evaluation() {
        let rec = attrs(&[
            ("name", AttributeValue::String("Kerberos".into())),
            ("n", AttributeValue::Int(10)),
            (
                "when",
                AttributeValue::Date(DateTime::parse("2002-01-31").unwrap()),
            ),
        ]);
        for (body, want) in [
            (
                "<clause attrib=\"name\" type=\"string\">Kerberos</clause>",
                true,
            ),
            (
                "<clause attrib=\"name\" type=\"string\">kerberos</clause>",
                false,
            ),
            ("<clause attrib=\"name\" type=\"string\">K*s</clause>", true),
            (
                "<clause attrib=\"name\" type=\"string\" compare=\"notequal\">K*s</clause>",
                false,
            ),
            (
                "<clause attrib=\"name\" type=\"string\" compare=\"notequal\">NTLM</clause>",
                true,
            ),
            (
                "<clause attrib=\"name\" type=\"string\" compare=\"greater\">K</clause>",
                true,
            ),
            (
                "<clause attrib=\"name\" type=\"string\" compare=\"less\">L*</clause>",
                true,
            ),
            (
                "<clause attrib=\"name\" type=\"string\" compare=\"greater\">K*</clause>",
                true,
            ),
            (
                "<clause attrib=\"name\" type=\"string\" compare=\"lessorequal\">Kerberos</clause>",
                true,
            ),
            ("<clause attrib=\"name\" type=\"int\">1</clause>", false),
            (
                "<clause attrib=\"missing\" type=\"string\" compare=\"notequal\">x</clause>",
                false,
            ),
            (
                "<clause attrib=\"n\" type=\"int\" compare=\"greater\">9</clause>",
                true,
            ),
            (
                "<clause attrib=\"n\" type=\"int\" compare=\"greaterorequal\">10</clause>",
                true,
            ),
            (
                "<clause attrib=\"n\" type=\"int\" compare=\"less\">10</clause>",
                false,
            ),
            (
                "<clause attrib=\"n\" type=\"int\" compare=\"lessorequal\">10</clause>",
                true,
            ),
            (
                "<clause attrib=\"n\" type=\"int\" compare=\"notequal\">10</clause>",
                false,
            ),
            (
                "<clause attrib=\"when\" type=\"date\">2002-01-31T00:00Z</clause>",
                true,
            ),
            (
                "<clause attrib=\"when\" type=\"date\">2002-01-31T01:00+01:00</clause>",
                true,
            ),
            (
                "<clause attrib=\"when\" type=\"date\" compare=\"less\">2002-02</clause>",
                true,
            ),
            (
                "<clause attrib=\"when\" type=\"date\" compare=\"greater\">2002</clause>",
                true,
            ),
            (
                "<or><clause attrib=\"n\" type=\"int\">1</clause><clause attrib=\"n\" type=\"int\">10</clause></or>",
                true,
            ),
            (
                "<and><clause attrib=\"n\" type=\"int\">1</clause><clause attrib=\"n\" type=\"int\">10</clause></and>",
                false,
            ),
            (
                "<and><or><clause attrib=\"n\" type=\"int\">10</clause></or><clause attrib=\"name\" type=\"string\">*</clause></and>",
                true,
            ),
        ] {
            assert_eq!(q(body).unwrap().matches(&rec), want, "{body}");
        }
    }

    #[test]
    fn depth_limits_match_reader() {
        let mut node = SearchNode::Clause(Clause {
            attribute: "a".into(),
            compare: Compare::Equal,
            value: ClauseValue::Int(1),
        });
        // peersearch + 30 groups + clause = 32 elements: writable and readable.
        for _ in 0..30 {
            node = SearchNode::And(vec![node]);
        }
        let ok = SearchQuery { root: node.clone() };
        assert_eq!(SearchQuery::parse(&ok.to_xml().unwrap()).unwrap(), ok);
        let too_deep = SearchQuery {
            root: SearchNode::Or(vec![node]),
        };
        assert_eq!(too_deep.to_xml().unwrap_err().kind(), ErrorKind::InvalidArg);
    }
}
