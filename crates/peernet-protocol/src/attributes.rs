//! Record attribute XML (`PEER_RECORD.pwzAttributes`).

use std::fmt;

use crate::datetime::DateTime;
use crate::error::{DocumentType, Error};
use crate::fields::trim;
use crate::reader::{Element, Schema};
use crate::writer::Writer;
use crate::{XmlDocument, inherent_document_api};

/// Attribute names the infrastructure sets; applications cannot set them (the facade
/// refuses them on add/update; the reader does not, it is format-only). Search clauses may
/// name them.
pub const RESERVED_ATTRIBUTE_NAMES: [&str; 6] = [
    "peerlastmodifiedby",
    "peercreatorid",
    "peerlastmodificationtime",
    "peerrecordid",
    "peerrecordtype",
    "peercreationtime",
];

/// Whether `name` is one of [`RESERVED_ATTRIBUTE_NAMES`] (compared ignoring ASCII case).
#[must_use]
pub fn is_reserved_attribute_name(name: &str) -> bool {
    RESERVED_ATTRIBUTE_NAMES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
}

/// Whether `name` is a valid attribute name: one or more alphanumeric characters
/// (Unicode letters and digits; no `-`, `_`, `.`, space).
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(char::is_alphanumeric)
}

/// The `type` of a record attribute or search clause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// `date`: a W3C date-time ([`DateTime`]).
    Date,
    /// `int`: a signed 32-bit integer (XML Schema `int`).
    Int,
    /// `string`: text.
    String,
}

impl ValueType {
    /// The `type` attribute value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Date => "date",
            Self::Int => "int",
            Self::String => "string",
        }
    }

    /// Parse a `type` attribute value (exact, lowercase).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "date" => Some(Self::Date),
            "int" => Some(Self::Int),
            "string" => Some(Self::String),
            _ => None,
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A typed record attribute value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AttributeValue {
    /// `type="date"`.
    Date(DateTime),
    /// `type="int"`.
    Int(i32),
    /// `type="string"`: kept verbatim (white space included).
    String(String),
}

impl AttributeValue {
    /// The value's type.
    #[must_use]
    pub fn value_type(&self) -> ValueType {
        match self {
            Self::Date(_) => ValueType::Date,
            Self::Int(_) => ValueType::Int,
            Self::String(_) => ValueType::String,
        }
    }

    /// The value as written in XML (before escaping).
    #[must_use]
    pub fn to_text(&self) -> String {
        match self {
            Self::Date(d) => d.to_string(),
            Self::Int(i) => i.to_string(),
            Self::String(s) => s.clone(),
        }
    }
}

/// Parse `text` as a value of type `ty` (`int` and `date` ignore surrounding white space).
pub(crate) fn typed_value(
    schema: Schema,
    el: &Element,
    ty: ValueType,
    text: &str,
) -> Result<AttributeValue, Error> {
    let bad = |value_type| Error::TypedValue {
        document: schema.doc,
        element: el.name.clone(),
        value_type,
        value: text.to_owned(),
        position: el.pos,
    };
    match ty {
        ValueType::String => Ok(AttributeValue::String(text.to_owned())),
        ValueType::Int => {
            let t = trim(text);
            let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("int"));
            }
            t.parse::<i32>()
                .map(AttributeValue::Int)
                .map_err(|_| bad("int"))
        }
        ValueType::Date => DateTime::parse(text)
            .map(AttributeValue::Date)
            .ok_or_else(|| bad("date")),
    }
}

/// The record attribute name held by `el`'s required attribute `attribute`, checked
/// with [`valid_name`].
pub(crate) fn attribute_name<'a>(
    schema: Schema,
    el: &'a Element,
    attribute: &str,
) -> Result<&'a str, Error> {
    let name = schema.required_attribute(el, attribute)?;
    if valid_name(name) {
        Ok(name)
    } else {
        Err(Error::RecordAttributeName {
            document: schema.doc,
            name: name.to_owned(),
            position: el.pos,
        })
    }
}

/// Read the `type` attribute of `el`.
pub(crate) fn value_type(schema: Schema, el: &Element) -> Result<ValueType, Error> {
    let t = schema.required_attribute(el, "type")?;
    ValueType::from_name(t).ok_or_else(|| Error::AttributeValue {
        document: schema.doc,
        element: el.name.clone(),
        attribute: "type".to_owned(),
        value: t.to_owned(),
        position: el.pos,
    })
}

/// One `<attribute name="…" type="…">value</attribute>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordAttribute {
    /// The attribute name (alphanumeric; case is kept and significant).
    pub name: String,
    /// The typed value.
    pub value: AttributeValue,
}

/// `<attributes>`: a record's attributes, in document order, names unique.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RecordAttributes {
    /// The attributes.
    pub attributes: Vec<RecordAttribute>,
}

impl RecordAttributes {
    /// The value of the attribute called `name` (exact, case-sensitive match).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&AttributeValue> {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| &a.value)
    }
}

inherent_document_api!(RecordAttributes);

impl XmlDocument for RecordAttributes {
    const DOCUMENT: DocumentType = DocumentType::RecordAttributes;

    fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let (schema, root) = Schema::open(Self::DOCUMENT, bytes, "attributes")?;
        schema.bare_container(&root)?;
        let mut out = Self::default();
        for el in &root.children {
            if el.name != "attribute" {
                return Err(Error::UnknownElement {
                    document: schema.doc,
                    element: el.name.clone(),
                    parent: root.name.clone(),
                    position: el.pos,
                });
            }
            schema.only_attributes(el, &["name", "type"])?;
            let name = attribute_name(schema, el, "name")?;
            let ty = value_type(schema, el)?;
            let value = typed_value(schema, el, ty, schema.leaf_text(el)?)?;
            if out.get(name).is_some() {
                return Err(Error::DuplicateRecordAttribute {
                    document: schema.doc,
                    name: name.to_owned(),
                    position: el.pos,
                });
            }
            out.attributes.push(RecordAttribute {
                name: name.to_owned(),
                value,
            });
        }
        Ok(out)
    }

    fn to_xml(&self) -> Result<Vec<u8>, Error> {
        let mut w = Writer::new(Self::DOCUMENT);
        if self.attributes.is_empty() {
            w.empty(0, "attributes", &[])?;
            return Ok(w.finish());
        }
        w.open(0, "attributes", &[])?;
        for (i, a) in self.attributes.iter().enumerate() {
            if !valid_name(&a.name) {
                return Err(w.invalid("attribute", format!("invalid attribute name '{}'", a.name)));
            }
            if self.attributes[..i].iter().any(|b| b.name == a.name) {
                return Err(w.invalid(
                    "attribute",
                    format!("duplicate attribute name '{}'", a.name),
                ));
            }
            let ty = a.value.value_type().as_str();
            w.leaf(
                1,
                "attribute",
                &[("name", &a.name), ("type", ty)],
                &a.value.to_text(),
            )?;
        }
        w.close(0, "attributes");
        Ok(w.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn documented_example() {
        // The SDK example, with its missing slash on the closing tag fixed.
        let x = "<attributes>\n  <attribute name=\"AuthenticationType\" type=\"string\">Kerberos</attribute>\n  <attribute name=\"AuthExpires\" type=\"date\">2002-01-31</attribute>\n</attributes>\n";
        let a = RecordAttributes::parse_str(x).unwrap();
        assert_eq!(
            a.get("AuthenticationType"),
            Some(&AttributeValue::String("Kerberos".into()))
        );
        assert_eq!(
            a.get("AuthExpires"),
            Some(&AttributeValue::Date(
                DateTime::parse("2002-01-31").unwrap()
            ))
        );
        assert_eq!(a.get("authexpires"), None);
        assert_eq!(a.to_xml_string().unwrap(), x);
    }

    #[test]
    fn empty_and_int() {
        let a = RecordAttributes::parse_str("<attributes/>").unwrap();
        assert!(a.attributes.is_empty());
        assert_eq!(a.to_xml_string().unwrap(), "<attributes></attributes>\n");
        let a = RecordAttributes::parse_str("<attributes><attribute name=\"n\" type=\"int\"> -2147483648 </attribute><attribute name=\"p\" type=\"int\">+7</attribute></attributes>").unwrap();
        assert_eq!(a.get("n"), Some(&AttributeValue::Int(i32::MIN)));
        assert_eq!(a.get("p"), Some(&AttributeValue::Int(7)));
    }

    #[test]
    fn errors() {
        for (body, want) in [
            (
                "<attribute name=\"a-b\" type=\"string\">x</attribute>",
                "RecordAttributeName",
            ),
            (
                "<attribute name=\"a_b\" type=\"string\">x</attribute>",
                "RecordAttributeName",
            ),
            (
                "<attribute name=\"\" type=\"string\">x</attribute>",
                "RecordAttributeName",
            ),
            (
                "<attribute type=\"string\">x</attribute>",
                "MissingAttribute",
            ),
            ("<attribute name=\"a\">x</attribute>", "MissingAttribute"),
            (
                "<attribute name=\"a\" type=\"float\">1.5</attribute>",
                "AttributeValue",
            ),
            (
                "<attribute name=\"a\" type=\"String\">x</attribute>",
                "AttributeValue",
            ),
            (
                "<attribute name=\"a\" type=\"int\">12x</attribute>",
                "TypedValue",
            ),
            (
                "<attribute name=\"a\" type=\"int\">2147483648</attribute>",
                "TypedValue",
            ),
            (
                "<attribute name=\"a\" type=\"int\"></attribute>",
                "TypedValue",
            ),
            (
                "<attribute name=\"a\" type=\"date\">2002-02-30</attribute>",
                "TypedValue",
            ),
            (
                "<attribute name=\"a\" type=\"string\" x=\"1\">x</attribute>",
                "UnexpectedAttribute",
            ),
            (
                "<attribute name=\"a\" type=\"string\">x</attribute><attribute name=\"a\" type=\"int\">1</attribute>",
                "DuplicateRecordAttribute",
            ),
            (
                "<attr name=\"a\" type=\"string\">x</attr>",
                "UnknownElement",
            ),
            (
                "<attribute name=\"a\" type=\"string\"><b/></attribute>",
                "UnknownElement",
            ),
            ("text", "TextNotAllowed"),
        ] {
            let x = format!("<attributes>{body}</attributes>");
            let e = RecordAttributes::parse_str(&x).unwrap_err();
            assert_eq!(e.variant_name(), want, "{x}: {e}");
            assert_eq!(e.kind(), ErrorKind::InvalidAttributes);
        }
        // The SDK example's unclosed root.
        let e = RecordAttributes::parse_str(
            "<attributes><attribute name=\"a\" type=\"string\">x</attribute><attributes>",
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidAttributes);
    }

    #[test]
    fn reserved_names() {
        assert!(is_reserved_attribute_name("peercreatorid"));
        assert!(is_reserved_attribute_name("PeerRecordType"));
        assert!(!is_reserved_attribute_name("peer"));
    }

    #[test]
    fn writer_refuses_invalid() {
        let bad = RecordAttributes {
            attributes: vec![RecordAttribute {
                name: "a b".into(),
                value: AttributeValue::Int(1),
            }],
        };
        assert_eq!(bad.to_xml().unwrap_err().kind(), ErrorKind::InvalidArg);
        let dup = RecordAttributes {
            attributes: vec![
                RecordAttribute {
                    name: "a".into(),
                    value: AttributeValue::Int(1),
                },
                RecordAttribute {
                    name: "a".into(),
                    value: AttributeValue::Int(2),
                },
            ],
        };
        assert_eq!(dup.to_xml().unwrap_err().kind(), ErrorKind::InvalidArg);
    }
}
