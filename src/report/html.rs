//! `report.html`: report.md as one self-contained page. The Markdown is rendered with
//! pulldown-cmark, and every image it links to in the output folder is inlined as a data URI, so
//! the file can be mailed or attached to a design review on its own. The style sheet is inline
//! too and prints well (no background colours, tables that break across pages).

use std::path::Path;

use anyhow::Context;
use base64::Engine as _;
use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1a1a1a;
       max-width: 1200px; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.5; }
h1 { border-bottom: 2px solid #333; padding-bottom: .3rem; }
h2 { border-bottom: 1px solid #bbb; padding-bottom: .2rem; margin-top: 2.2rem; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .92rem; }
th, td { border: 1px solid #bbb; padding: .3rem .6rem; vertical-align: top; }
th { background: #f0f0f0; }
td { font-variant-numeric: tabular-nums; }
img { max-width: 100%; height: auto; border: 1px solid #ddd; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", monospace; background: #f5f5f5; }
pre { padding: .6rem; overflow-x: auto; }
@media print { body { margin: 0; max-width: none; } th { background: none; } img { break-inside: avoid; } }
"#;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The media type of an image file by its extension, if it is one relsim writes.
fn media_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit('.').next()?.to_ascii_lowercase();
    match ext.as_str() {
        "png" => Some("image/png"),
        "svg" => Some("image/svg+xml"),
        _ => None,
    }
}

/// A data URI for the image `url` in `dir`, when `url` names a file there (not a web address).
fn inline(dir: &Path, url: &str) -> anyhow::Result<Option<String>> {
    let Some(mime) = media_type(url) else { return Ok(None) };
    if url.contains("://") || url.starts_with('/') || url.contains("..") {
        return Ok(None);
    }
    let path = dir.join(url);
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {} to inline it in report.html", path.display()))?;
    Ok(Some(format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))))
}

/// `markdown` as a complete HTML page titled `title`, with the images it links to in `dir`
/// inlined.
pub fn render(markdown: &str, title: &str, dir: &Path) -> anyhow::Result<String> {
    let mut events = Vec::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let dest_url = match inline(dir, &dest_url)? {
                    Some(uri) => CowStr::from(uri),
                    None => dest_url,
                };
                events.push(Event::Start(Tag::Image { link_type, dest_url, title, id }));
            }
            e => events.push(e),
        }
    }
    let mut body = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut body, events.into_iter());
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"relsim {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        escape(title)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_in_the_folder_are_inlined_and_others_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.png"), [0x89, b'P', b'N', b'G']).unwrap();
        let md = "# T <x>\n\n![A](a.png)\n\n![web](https://example.com/b.png)\n\n| a | b |\n|---|---:|\n| 1<br>2 | 3 |\n";
        let page = render(md, "T <x>", dir.path()).unwrap();
        assert!(page.contains("<title>T &lt;x&gt;</title>"));
        assert!(page.contains("src=\"data:image/png;base64,iVBORw==\""), "{page}");
        assert!(page.contains("src=\"https://example.com/b.png\""));
        assert!(page.contains("<table>") && page.contains("1<br>2"));
    }

    #[test]
    fn a_missing_image_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = render("![A](gone.png)", "t", dir.path()).unwrap_err();
        assert!(format!("{err:#}").contains("gone.png"), "{err:#}");
    }
}
