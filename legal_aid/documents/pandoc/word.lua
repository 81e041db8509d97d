-- Turns the PDF's HTML into a Word document's content (legal_aid/documents/word.py):
-- a footnote (<span class="footnote">) becomes a real Word footnote; what WeasyPrint repeats in
-- the page margins (running header, page numbers) is left to Word; the watermark line stays, as
-- a paragraph at the end; charts (inline SVG) are dropped: the table beside each has its figures.

local function has(el, class)
  for _, c in ipairs(el.classes) do
    if c == class then return true end
  end
  return false
end

-- pandoc 2.17 keeps `lang` on spans and divs but does not write it to the DOCX: a passage in
-- another language is written as runs that carry w:lang, so Word checks its spelling in English
-- and a screen reader switches voice. Its text is kept, its inner formatting is not.
local function xml_escape(text)
  return (text:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"))
end

local function run(text, lang)
  return '<w:r><w:rPr><w:lang w:val="' .. xml_escape(lang) .. '" /></w:rPr>'
    .. '<w:t xml:space="preserve">' .. xml_escape(text) .. '</w:t></w:r>'
end

local function lang_of(el)
  return el.attributes and el.attributes["lang"]
end

function Span(el)
  local lang = lang_of(el)
  if lang and not has(el, "footnote") then
    return pandoc.RawInline("openxml", run(pandoc.utils.stringify(el), lang))
  end
  if has(el, "footnote") then
    -- A thin space before the call, as in the PDF: "9 1", never "91".
    return {pandoc.Str("\u{2009}"), pandoc.Note({pandoc.Para(el.content)})}
  end
  if has(el, "page-number") or has(el, "page-count") then
    return {}
  end
  return nil
end

-- The cover's urgency (and any deadline), as prominent as in the PDF: bold, larger, in the
-- PDF's dark red, in a box.
local function urgency(el)
  return pandoc.RawBlock("openxml",
    '<w:p><w:pPr><w:keepNext /><w:pBdr>'
    .. '<w:top w:val="single" w:sz="12" w:space="4" w:color="8A1111" />'
    .. '<w:left w:val="single" w:sz="12" w:space="4" w:color="8A1111" />'
    .. '<w:bottom w:val="single" w:sz="12" w:space="4" w:color="8A1111" />'
    .. '<w:right w:val="single" w:sz="12" w:space="4" w:color="8A1111" />'
    .. '</w:pBdr></w:pPr><w:r><w:rPr><w:b /><w:color w:val="8A1111" />'
    .. '<w:sz w:val="28" /></w:rPr><w:t xml:space="preserve">'
    .. xml_escape(pandoc.utils.stringify(el)) .. '</w:t></w:r></w:p>')
end

function Div(el)
  if has(el, "urgency") then
    return urgency(el)
  end
  local lang = lang_of(el)
  if lang then
    local blocks = {}
    for _, block in ipairs(el.content) do
      local style = block.t == "BlockQuote" and "BlockText" or "BodyText"
      table.insert(blocks, pandoc.RawBlock("openxml",
        '<w:p><w:pPr><w:pStyle w:val="' .. style .. '" /></w:pPr>'
        .. run(pandoc.utils.stringify(block), lang) .. '</w:p>'))
    end
    return blocks
  end
  if has(el, "running-header") or has(el, "running-footer") or has(el, "chart") then
    return {}
  end
  return nil
end

-- The title is the document's first heading already; pandoc would print it twice.
function Meta(meta)
  meta.title = nil
  return meta
end

-- Nothing is fetched: an image would make pandoc read a file or a URL when it writes the DOCX.
function Image(el)
  return {}
end

function RawBlock(el)
  if el.format ~= "openxml" then return {} end
  return nil
end

function RawInline(el)
  if el.format ~= "openxml" then return {} end
  return nil
end
