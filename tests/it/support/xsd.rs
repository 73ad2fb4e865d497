//! A structural reading of an XML schema, and a check of documents against it
//! in Rust, so that JUnit reports are checked where `xmllint` is missing.
//!
//! It reads the subset of XSD that Jenkins' JUnit schema is written in: global
//! `xs:element`s, each a simple type or a `xs:complexType` (maybe `mixed`)
//! holding an optional `xs:sequence` of `xs:element ref=` particles with
//! `minOccurs`/`maxOccurs`, and `xs:attribute`s with `use`. Anything else in a
//! schema is refused rather than ignored, so the check is never laxer than it
//! says. It checks that every element is declared, every attribute is allowed,
//! required attributes are present, children come in the order and number the
//! sequence allows, and text appears only where the schema allows it; attribute
//! values are not typed (the schema's are all `xs:string`).

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::BTreeMap;

/// What a schema declares of one element.
#[derive(Debug, Default)]
pub struct Element {
    /// Allowed attributes, each with whether it is required.
    pub attributes: BTreeMap<String, bool>,
    /// The children's sequence: element name, least and most occurrences (`None`: unbounded).
    pub sequence: Vec<(String, u32, Option<u32>)>,
    /// True if and only if text may appear in the element (a simple type, or `mixed`).
    pub text: bool,
}

/// The global elements of a schema, by name.
#[derive(Debug)]
pub struct Schema {
    pub elements: BTreeMap<String, Element>,
}

/// An element of a document: its name, attributes, child elements and whether it holds text.
struct Node {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Node>,
    text: bool,
}

/// Reads `xml` into a tree of elements, or says where it is not well-formed.
fn parse(xml: &str) -> Result<Node, String> {
    let mut reader = Reader::from_str(xml);
    let mut open: Vec<Node> = Vec::new();
    let mut root = None;
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|err| format!("byte {at}: {err}"))?;
        let done = match event {
            Event::Start(start) => {
                open.push(node(&start)?);
                None
            }
            Event::Empty(start) => Some(node(&start)?),
            Event::End(_) => Some(open.pop().ok_or("an end tag without a start")?),
            Event::Text(text) => {
                let blank = text.iter().all(u8::is_ascii_whitespace);
                if let (false, Some(parent)) = (blank, open.last_mut()) {
                    parent.text = true;
                }
                None
            }
            Event::CData(_) | Event::GeneralRef(_) => {
                if let Some(parent) = open.last_mut() {
                    parent.text = true;
                }
                None
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => None,
        };
        if let Some(done) = done {
            match open.last_mut() {
                Some(parent) => parent.children.push(done),
                None if root.is_none() => root = Some(done),
                None => return Err(format!("byte {at}: a second root element")),
            }
        }
    }
    if let Some(unclosed) = open.last() {
        return Err(format!("<{}> is never closed", unclosed.name));
    }
    root.ok_or_else(|| "no root element".to_owned())
}

/// Returns the element `start` opens, with its attribute names.
fn node(start: &BytesStart) -> Result<Node, String> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|err| format!("<{name}>: {err}"))?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        attributes.push((key, String::from_utf8_lossy(&attribute.value).into_owned()));
    }
    Ok(Node {
        name,
        attributes,
        children: Vec::new(),
        text: false,
    })
}

impl Node {
    /// Returns the value of attribute `key`.
    fn get(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Refuses a schema node with an attribute not in `known`.
    fn only(&self, known: &[&str]) -> Result<(), String> {
        match self
            .attributes
            .iter()
            .find(|(k, _)| !known.contains(&k.as_str()))
        {
            Some((unknown, _)) => Err(format!("<{}>: unsupported {unknown}", self.name)),
            None => Ok(()),
        }
    }
}

impl Schema {
    /// Reads the global elements of the schema `xsd`.
    pub fn parse(xsd: &str) -> Result<Schema, String> {
        let tree = parse(xsd)?;
        if tree.name != "xs:schema" {
            return Err(format!("the root is <{}>, not <xs:schema>", tree.name));
        }
        let mut elements = BTreeMap::new();
        for global in &tree.children {
            if global.name != "xs:element" {
                return Err(format!("unsupported global <{}>", global.name));
            }
            global.only(&["name", "type"])?;
            let name = global.get("name").ok_or("an xs:element without a name")?;
            let element = match (global.get("type"), &global.children[..]) {
                (Some("xs:string"), []) => Element {
                    text: true,
                    ..Element::default()
                },
                (None, [complex]) if complex.name == "xs:complexType" => complex_type(complex)
                    .map_err(|err| format!("<xs:element name=\"{name}\">: {err}"))?,
                _ => return Err(format!("{name}: unsupported declaration")),
            };
            elements.insert(name.to_owned(), element);
        }
        Ok(Schema { elements })
    }

    /// Returns every way `xml` breaks the schema's structure, one per line; empty when none.
    pub fn check(&self, xml: &str) -> String {
        let mut problems = Vec::new();
        match parse(xml) {
            Ok(root) => self.check_node(&root, &root.name, &mut problems),
            Err(err) => problems.push(format!("not well-formed XML: {err}")),
        }
        problems.join("\n")
    }

    /// Checks `node`, found at `path`, and its children.
    fn check_node(&self, node: &Node, path: &str, problems: &mut Vec<String>) {
        let Some(element) = self.elements.get(&node.name) else {
            problems.push(format!("{path}: element <{}> is not declared", node.name));
            return;
        };
        for (key, _) in &node.attributes {
            if !element.attributes.contains_key(key) {
                problems.push(format!("{path}: attribute {key} is not allowed"));
            }
        }
        for (key, &required) in &element.attributes {
            if required && node.get(key).is_none() {
                problems.push(format!("{path}: required attribute {key} is missing"));
            }
        }
        if node.text && !element.text {
            problems.push(format!("{path}: text is not allowed here"));
        }
        // The sequence, matched greedily: the schema's particles have distinct names in turn.
        let mut particles = element.sequence.iter().peekable();
        let mut seen = 0;
        for child in &node.children {
            let child_path = format!("{path}/{}", child.name);
            loop {
                let Some((name, min, max)) = particles.peek() else {
                    problems.push(format!("{child_path}: not allowed here"));
                    break;
                };
                if *name == child.name {
                    seen += 1;
                    if let Some(max) = max.filter(|max| seen > *max) {
                        problems.push(format!("{child_path}: more than {max} in a row"));
                    }
                    break;
                }
                if seen < *min {
                    problems.push(format!("{path}: <{name}> missing before <{}>", child.name));
                }
                particles.next();
                seen = 0;
            }
            self.check_node(child, &child_path, problems);
        }
        for (name, min, _) in particles {
            if seen < *min {
                problems.push(format!("{path}: <{name}> missing at the end"));
            }
            seen = 0;
        }
    }
}

/// Reads an `xs:complexType`: `mixed`, its attributes and its sequence.
fn complex_type(complex: &Node) -> Result<Element, String> {
    complex.only(&["mixed"])?;
    let mut element = Element {
        text: complex.get("mixed") == Some("true"),
        ..Element::default()
    };
    for part in &complex.children {
        match part.name.as_str() {
            "xs:attribute" => {
                part.only(&["name", "type", "use"])?;
                let key = part.get("name").ok_or("an unnamed xs:attribute")?;
                let required = match part.get("use") {
                    Some("required") => true,
                    None | Some("optional") => false,
                    Some(other) => return Err(format!("{key}: use=\"{other}\"")),
                };
                element.attributes.insert(key.to_owned(), required);
            }
            "xs:sequence" if element.sequence.is_empty() => {
                part.only(&[])?;
                for particle in &part.children {
                    if particle.name != "xs:element" {
                        return Err(format!("unsupported <{}> in a sequence", particle.name));
                    }
                    particle.only(&["ref", "minOccurs", "maxOccurs"])?;
                    let child = particle.get("ref").ok_or("a particle without ref")?;
                    let occurs = |key: &str| -> Result<Option<u32>, String> {
                        match particle.get(key).unwrap_or("1") {
                            "unbounded" => Ok(None),
                            n => n.parse().map(Some).map_err(|_| format!("{key}={n}")),
                        }
                    };
                    let min = occurs("minOccurs")?.ok_or("minOccurs=unbounded")?;
                    element
                        .sequence
                        .push((child.to_owned(), min, occurs("maxOccurs")?));
                }
            }
            other => return Err(format!("unsupported <{other}>")),
        }
    }
    Ok(element)
}
