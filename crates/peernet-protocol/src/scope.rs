//! PNRP scope (`SCOPE` element).

use std::fmt;

/// A PNRP cloud scope, with the `PNRP_SCOPE` numeric values.
///
/// Written as `GLOBAL`, `SITELOCAL` or `LINKLOCAL`; read case-insensitively in those
/// spellings and as `global`, `site-local`, `link-local` (see [`Scope::from_xml_text`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
pub enum Scope {
    /// `PNRP_GLOBAL_SCOPE` (1).
    Global = 1,
    /// `PNRP_SITE_LOCAL_SCOPE` (2).
    SiteLocal = 2,
    /// `PNRP_LINK_LOCAL_SCOPE` (3).
    LinkLocal = 3,
}

impl Scope {
    /// All scopes, in numeric order.
    pub const ALL: [Self; 3] = [Self::Global, Self::SiteLocal, Self::LinkLocal];

    /// The spelling the writer uses (`GLOBAL`, `SITELOCAL`, `LINKLOCAL`, as `WSZ_SCOPE_*`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Global => "GLOBAL",
            Self::SiteLocal => "SITELOCAL",
            Self::LinkLocal => "LINKLOCAL",
        }
    }

    /// The `PNRP_SCOPE` value (1, 2 or 3).
    #[must_use]
    pub const fn value(self) -> u32 {
        self as u32
    }

    /// The scope with this `PNRP_SCOPE` value, if any (0, `PNRP_SCOPE_ANY`, is not a scope
    /// a cloud can have).
    #[must_use]
    pub const fn from_value(value: u32) -> Option<Self> {
        match value {
            1 => Some(Self::Global),
            2 => Some(Self::SiteLocal),
            3 => Some(Self::LinkLocal),
            _ => None,
        }
    }

    /// Read a `SCOPE` value: `GLOBAL`/`SITELOCAL`/`LINKLOCAL` or
    /// `global`/`site-local`/`link-local`, in any letter case, surrounding XML white space
    /// ignored. Anything else is `None`.
    #[must_use]
    pub fn from_xml_text(text: &str) -> Option<Self> {
        let t = text.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'));
        let eq = |s: &str| t.eq_ignore_ascii_case(s);
        if eq("GLOBAL") {
            Some(Self::Global)
        } else if eq("SITELOCAL") || eq("SITE-LOCAL") {
            Some(Self::SiteLocal)
        } else if eq("LINKLOCAL") || eq("LINK-LOCAL") {
            Some(Self::LinkLocal)
        } else {
            None
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Scope;

    #[test]
    fn spellings() {
        for (s, want) in [
            ("GLOBAL", Scope::Global),
            ("global", Scope::Global),
            ("Global", Scope::Global),
            (" GLOBAL\r\n", Scope::Global),
            ("SITELOCAL", Scope::SiteLocal),
            ("site-local", Scope::SiteLocal),
            ("Site-Local", Scope::SiteLocal),
            ("sitelocal", Scope::SiteLocal),
            ("LINKLOCAL", Scope::LinkLocal),
            ("link-local", Scope::LinkLocal),
            ("LINK-LOCAL", Scope::LinkLocal),
        ] {
            assert_eq!(Scope::from_xml_text(s), Some(want), "{s}");
        }
        for s in [
            "",
            "local",
            "site local",
            "site_local",
            "1",
            "GLOBAL_",
            "globa",
        ] {
            assert_eq!(Scope::from_xml_text(s), None, "{s}");
        }
    }

    #[test]
    fn values() {
        for s in Scope::ALL {
            assert_eq!(Scope::from_value(s.value()), Some(s));
            assert_eq!(Scope::from_xml_text(s.as_str()), Some(s));
        }
        assert_eq!(Scope::Global.value(), 1);
        assert_eq!(Scope::SiteLocal.value(), 2);
        assert_eq!(Scope::LinkLocal.value(), 3);
        assert_eq!(Scope::from_value(0), None);
    }
}
