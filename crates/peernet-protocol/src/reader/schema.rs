//! Schema helpers over the element tree: the checks each document parser shares (root name,
//! allowed attributes, ordered children, leaf text, `bin.base64` payloads).

use base64::Engine as _;

use super::Element;
use crate::DT_NAMESPACE;
use crate::error::{DocumentType, Error};

/// Schema helpers bound to one document type.
#[derive(Clone, Copy)]
pub(crate) struct Schema {
    pub doc: DocumentType,
}

impl Schema {
    /// Parses `bytes` as a `doc` document whose root element is named `root`: the schema
    /// bound to `doc` and the root element, the first steps of every document parser.
    pub fn open(doc: DocumentType, bytes: &[u8], root: &str) -> Result<(Self, Element), Error> {
        let schema = Self { doc };
        let el = super::parse_tree(doc, bytes)?;
        schema.root(&el, root)?;
        Ok((schema, el))
    }

    /// The root must have this name.
    pub fn root(self, el: &Element, name: &str) -> Result<(), Error> {
        if el.name == name {
            Ok(())
        } else {
            Err(Error::UnknownElement {
                document: self.doc,
                element: el.name.clone(),
                parent: String::new(),
                position: el.pos,
            })
        }
    }

    /// Only these unprefixed attributes are allowed (namespace declarations always are).
    pub fn only_attributes(self, el: &Element, allowed: &[&str]) -> Result<(), Error> {
        for a in &el.attrs {
            if a.namespace.is_some() || !allowed.contains(&a.local.as_str()) {
                return Err(Error::UnexpectedAttribute {
                    document: self.doc,
                    element: el.name.clone(),
                    attribute: a.qname.clone(),
                    position: el.pos,
                });
            }
        }
        Ok(())
    }

    /// An unprefixed attribute's value.
    pub fn attribute<'a>(self, el: &'a Element, name: &str) -> Option<&'a str> {
        el.attrs
            .iter()
            .find(|a| a.namespace.is_none() && a.local == name)
            .map(|a| a.value.as_str())
    }

    /// A required unprefixed attribute's value.
    pub fn required_attribute<'a>(self, el: &'a Element, name: &str) -> Result<&'a str, Error> {
        self.attribute(el, name)
            .ok_or_else(|| Error::MissingAttribute {
                document: self.doc,
                element: el.name.clone(),
                attribute: name.to_owned(),
                position: el.pos,
            })
    }

    /// The root's VERSION attribute (required, the only attribute allowed on the root).
    pub fn version(self, el: &Element) -> Result<&str, Error> {
        self.only_attributes(el, &["VERSION"])?;
        self.required_attribute(el, "VERSION")
    }

    /// An element holding only elements: no non-white-space text.
    pub fn no_text(self, el: &Element) -> Result<(), Error> {
        match el.text_pos {
            Some(position) => Err(Error::TextNotAllowed {
                document: self.doc,
                element: el.name.clone(),
                position,
            }),
            None => Ok(()),
        }
    }

    /// An element holding only elements, with no attributes (namespace declarations
    /// aside) and no non-white-space text.
    pub fn bare_container(self, el: &Element) -> Result<(), Error> {
        self.only_attributes(el, &[])?;
        self.no_text(el)
    }

    /// Match children against an ordered list of names, each allowed at most once.
    /// Returns one slot per name; the caller decides which are required.
    pub fn sequence<'a>(
        self,
        el: &'a Element,
        names: &[&str],
    ) -> Result<Vec<Option<&'a Element>>, Error> {
        self.no_text(el)?;
        let mut slots: Vec<Option<&Element>> = vec![None; names.len()];
        let mut last: Option<usize> = None;
        for child in &el.children {
            let Some(i) = names.iter().position(|n| *n == child.name) else {
                return Err(Error::UnknownElement {
                    document: self.doc,
                    element: child.name.clone(),
                    parent: el.name.clone(),
                    position: child.pos,
                });
            };
            if slots[i].is_some() {
                return Err(Error::DuplicateElement {
                    document: self.doc,
                    element: child.name.clone(),
                    position: child.pos,
                });
            }
            if last.is_some_and(|l| l > i) {
                return Err(Error::OutOfOrder {
                    document: self.doc,
                    element: child.name.clone(),
                    position: child.pos,
                });
            }
            slots[i] = Some(child);
            last = Some(i);
        }
        Ok(slots)
    }

    /// A required slot from [`Schema::sequence`].
    pub fn required<'a>(
        self,
        parent: &Element,
        slot: Option<&'a Element>,
        name: &str,
    ) -> Result<&'a Element, Error> {
        slot.ok_or_else(|| Error::MissingElement {
            document: self.doc,
            element: name.to_owned(),
            parent: parent.name.clone(),
            position: parent.pos,
        })
    }

    /// A leaf element with no attributes: its text, verbatim.
    pub fn text(self, el: &Element) -> Result<&str, Error> {
        self.only_attributes(el, &[])?;
        self.leaf_text(el)
    }

    /// A leaf element's text (attributes checked by the caller).
    pub fn leaf_text(self, el: &Element) -> Result<&str, Error> {
        if let Some(child) = el.children.first() {
            return Err(Error::UnknownElement {
                document: self.doc,
                element: child.name.clone(),
                parent: el.name.clone(),
                position: child.pos,
            });
        }
        Ok(&el.text)
    }

    /// A `bin.base64` element: checks the datatype attribute by namespace URI and decodes.
    pub fn binary(self, el: &Element) -> Result<Vec<u8>, Error> {
        let mut found = false;
        for a in &el.attrs {
            match a.namespace.as_deref() {
                Some(DT_NAMESPACE) if a.local == "dt" => {
                    if found {
                        // The same expanded name twice (two prefixes bound to the URI).
                        return Err(Error::UnexpectedAttribute {
                            document: self.doc,
                            element: el.name.clone(),
                            attribute: a.qname.clone(),
                            position: el.pos,
                        });
                    }
                    if a.value != "bin.base64" {
                        return Err(Error::AttributeValue {
                            document: self.doc,
                            element: el.name.clone(),
                            attribute: a.qname.clone(),
                            value: a.value.clone(),
                            position: el.pos,
                        });
                    }
                    found = true;
                }
                Some(other) if a.local == "dt" => {
                    return Err(Error::AttributeNamespace {
                        document: self.doc,
                        element: el.name.clone(),
                        attribute: a.qname.clone(),
                        namespace: other.to_owned(),
                        expected: DT_NAMESPACE,
                        position: el.pos,
                    });
                }
                _ => {
                    return Err(Error::UnexpectedAttribute {
                        document: self.doc,
                        element: el.name.clone(),
                        attribute: a.qname.clone(),
                        position: el.pos,
                    });
                }
            }
        }
        if !found {
            return Err(Error::MissingAttribute {
                document: self.doc,
                element: el.name.clone(),
                attribute: "dt:dt".to_owned(),
                position: el.pos,
            });
        }
        let text = self.leaf_text(el)?;
        // XML white space is ASCII, so dropping those bytes equals dropping those characters.
        let mut compact = Vec::with_capacity(text.len());
        compact.extend(
            text.bytes()
                .filter(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')),
        );
        base64::engine::general_purpose::STANDARD
            .decode(&compact)
            .map_err(|_| Error::Base64 {
                document: self.doc,
                element: el.name.clone(),
                position: el.pos,
            })
    }
}
