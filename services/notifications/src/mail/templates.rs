//! The e-mail templates (plain text and HTML, auto-escaped), rendered with
//! minijinja from files compiled into the binary.

use minijinja::Environment;
use serde::Serialize;

pub struct Templates {
    env: Environment<'static>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").finish_non_exhaustive()
    }
}

/// One rendered e-mail body.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub text: String,
    pub html: String,
}

impl Templates {
    pub fn new() -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        env.add_template(
            "notification.txt",
            include_str!("../../templates/notification.txt"),
        )?;
        env.add_template(
            "notification.html",
            include_str!("../../templates/notification.html"),
        )?;
        env.add_template("digest.txt", include_str!("../../templates/digest.txt"))?;
        env.add_template("digest.html", include_str!("../../templates/digest.html"))?;
        Ok(Self { env })
    }

    /// `name.txt` and `name.html` with `context`.
    pub fn render<C: Serialize>(
        &self,
        name: &str,
        context: &C,
    ) -> Result<Rendered, minijinja::Error> {
        let text = self
            .env
            .get_template(&format!("{name}.txt"))?
            .render(context)?;
        let html = self
            .env
            .get_template(&format!("{name}.html"))?
            .render(context)?;
        Ok(Rendered { text, html })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let t = Templates::new().unwrap();
        let r = t
            .render(
                "notification",
                &json!({ "title": "A <b> & C", "body": "x", "count": 3, "resource_type": "MATTER",
                         "resource_id": "1", "firm_name": "Firm", "mandatory": false }),
            )
            .unwrap();
        assert!(r.text.starts_with("A <b> & C"));
        assert!(r.html.contains("A &lt;b&gt; &amp; C"));
        assert!(r.text.contains("(3 in all)"));
        let d = t
            .render(
                "digest",
                &json!({ "items": [{ "title": "T", "body": "B", "count": 1 }], "firm_name": "F" }),
            )
            .unwrap();
        assert!(d.text.contains("1 unread notification\n"));
    }
}
