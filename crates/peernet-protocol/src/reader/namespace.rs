//! Namespace scopes: the prefixes each open element declares, and the reserved `xml` prefix.

/// The namespace URI bound to the reserved `xml` prefix.
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// Namespace scope: (prefix, uri) declarations per open element.
#[derive(Default)]
pub(super) struct Scopes(Vec<Vec<(String, String)>>);

impl Scopes {
    /// Opens an element's scope with the declarations on its start tag.
    pub(super) fn push(&mut self, decls: Vec<(String, String)>) {
        self.0.push(decls);
    }

    /// Closes the innermost element's scope.
    pub(super) fn pop(&mut self) {
        self.0.pop();
    }

    /// The URI `prefix` is bound to, innermost declaration first.
    pub(super) fn lookup(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NAMESPACE);
        }
        self.0
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.as_str())
    }
}
