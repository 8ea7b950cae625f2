//! Token revocation (`gateway revoke`): what an entry denies. An entry names a `jti` (that
//! token, whenever issued), a session id or a user id (their tokens issued at or before the
//! revocation: a token without `iat` counts as earlier, so a later login gets in). Entries
//! live in Redis ([`crate::store`]) until their TTL passes; every gateway reads the
//! announcements (`upkeep::watch_revocations`) and closes the matching live connections.

use shared::auth::Identity;

/// Revocations queued per session at most: a session that falls behind checks Redis instead.
pub(crate) const QUEUE: usize = 64;

/// One revocation: its Redis field (`jti:<id>`, `session:<id>`, `user:<id>`) and when it was
/// made (epoch seconds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Revocation {
    pub(crate) field: String,
    pub(crate) at: u64,
}

/// What a revocation names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Jti,
    Session,
    User,
}

impl Target {
    fn prefix(self) -> &'static str {
        match self {
            Target::Jti => "jti:",
            Target::Session => "session:",
            Target::User => "user:",
        }
    }

    /// The Redis field of this target's `id`.
    pub(crate) fn field(self, id: &str) -> String {
        format!("{}{id}", self.prefix())
    }
}

impl Revocation {
    /// Whether this revocation denies the token `who` came from.
    pub(crate) fn denies(&self, who: &Identity) -> bool {
        let issued_before = || who.issued_at.unwrap_or(0) <= self.at;
        if let Some(jti) = self.field.strip_prefix(Target::Jti.prefix()) {
            who.jti.as_deref() == Some(jti)
        } else if let Some(session) = self.field.strip_prefix(Target::Session.prefix()) {
            who.session_id == session && issued_before()
        } else if let Some(user) = self.field.strip_prefix(Target::User.prefix()) {
            who.user_id == user && issued_before()
        } else {
            false
        }
    }
}

/// The fields that could deny `who`, in the order [`Revocation::denies`] reads them.
pub(crate) fn fields_of(who: &Identity) -> Vec<String> {
    let mut fields = vec![
        Target::Session.field(&who.session_id),
        Target::User.field(&who.user_id),
    ];
    if let Some(jti) = &who.jti {
        fields.push(Target::Jti.field(jti));
    }
    fields
}

/// Parses a stored `"<revoked_at>:<expires_at>"`.
pub(crate) fn parse_entry(value: &str) -> Option<(u64, u64)> {
    let (at, expires) = value.split_once(':')?;
    Some((at.parse().ok()?, expires.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(iat: Option<u64>) -> Identity {
        Identity {
            user_id: "a@x.com".into(),
            session_id: "s1".into(),
            expires_at: 2_000,
            issued_at: iat,
            jti: Some("j1".into()),
        }
    }

    // Shows a jti is denied whenever issued, a user or session only for tokens issued at or
    // before the revocation (no iat counts as before), and other ids are left alone.
    #[test]
    fn what_an_entry_denies() {
        let at = 1_000;
        let rev = |t: Target, id: &str| Revocation {
            field: t.field(id),
            at,
        };
        assert!(rev(Target::Jti, "j1").denies(&who(Some(5_000))));
        assert!(!rev(Target::Jti, "j2").denies(&who(Some(5))));
        for target in [rev(Target::User, "a@x.com"), rev(Target::Session, "s1")] {
            assert!(target.denies(&who(Some(999))));
            assert!(target.denies(&who(Some(1_000))));
            assert!(target.denies(&who(None)));
            assert!(!target.denies(&who(Some(1_001))), "a later login gets in");
        }
        assert!(!rev(Target::User, "b@x.com").denies(&who(None)));
        assert!(!rev(Target::Session, "s2").denies(&who(None)));
        let junk = Revocation {
            field: "other:x".into(),
            at,
        };
        assert!(!junk.denies(&who(None)));
        assert_eq!(parse_entry("10:20"), Some((10, 20)));
        assert_eq!(parse_entry("10"), None);
    }
}
