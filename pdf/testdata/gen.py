# Makes the reference PDFs of this folder and their expected text (what
# PyMuPDF's page.get_text() returns, pages joined by form feeds). Run with
# Debian's python3-reportlab, python3-fitz and qpdf installed:
#   cd pdf/testdata && /usr/bin/python3 gen.py
# The tests read only the files it writes.
import io, os, subprocess, zlib
import fitz
from PIL import Image
from reportlab.lib.pagesizes import letter, A4
from reportlab.pdfgen import canvas
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import SimpleDocTemplate, Table, Paragraph, Spacer
from reportlab.lib.styles import getSampleStyleSheet


def simple(path):
    c = canvas.Canvas(path, pagesize=letter, pageCompression=1)
    c.setTitle("Attention Is All You Need")
    c.setAuthor("Ashish Vaswani")
    c.setSubject("Transformers")
    c.setFont("Helvetica-Bold", 18)
    c.drawString(72, 720, "Attention Is All You Need")
    c.setFont("Helvetica", 11)
    y = 690
    for line in ["The dominant sequence transduction models are based on complex",
                 "recurrent or convolutional neural networks (RNNs, CNNs).",
                 "We propose a new simple network architecture, the Transformer."]:
        c.drawString(72, y, line)
        y -= 14
    c.setFillColorRGB(1, 0, 0)
    c.drawString(72, 600, "Red text: 100% caf\u00e9")
    c.showPage()
    c.setFont("Times-Roman", 12)
    c.drawString(72, 720, "Page two begins here.")
    c.drawString(300, 720, "Same line, far right.")
    c.showPage()
    c.save()


def ttf(path):
    pdfmetrics.registerFont(TTFont("DejaVu", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    c = canvas.Canvas(path, pagesize=A4, pageCompression=1)
    c.setFont("DejaVu", 14)
    c.drawString(72, 760, "Unicode: \u00e9t\u00e9, na\u00efve, \u03b1\u03b2\u03b3, \u2014 \u201cquoted\u201d")
    c.drawString(72, 740, "Stra\u00dfe \u20ac 12,50")
    c.showPage()
    c.save()


def image(path):
    img = Image.new("RGB", (32, 16), (200, 30, 30))
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    open("red.jpg", "wb").write(buf.getvalue())
    c = canvas.Canvas(path, pagesize=letter, pageCompression=1)
    c.setFont("Helvetica", 12)
    c.drawString(72, 720, "A page with a JPEG image.")
    c.drawImage("red.jpg", 72, 600, width=64, height=32)
    c.showPage()
    c.save()
    os.remove("red.jpg")


def table(path):
    doc = SimpleDocTemplate(path, pagesize=letter)
    data = [["Name", "Year", "Score"], ["BERT", "2018", "80.5"], ["ALBERT", "2019", "89.4"], ["T5", "2019", "90.3"]]
    st = getSampleStyleSheet()
    doc.build([Paragraph("Results table", st["Heading1"]), Spacer(1, 12), Table(data, colWidths=[120, 80, 80])])


def pages10(path):
    c = canvas.Canvas(path, pagesize=letter, pageCompression=1)
    for p in range(10):
        c.setFont("Helvetica-Bold", 16)
        c.drawString(72, 740, "Section %d" % (p + 1))
        c.setFont("Helvetica", 10)
        for i in range(45):
            c.drawString(72, 710 - i * 14, "Page %d line %d: the quick brown fox jumps over the lazy dog." % (p + 1, i + 1))
        c.showPage()
    c.save()


def stream(d, data):
    z = zlib.compress(data)
    return b"<< " + d + b" /Length %d /Filter /FlateDecode >>\nstream\n" % len(z) + z + b"\nendstream"


def write(path, objs, trailer=b""):
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, o in enumerate(objs):
        offs.append(out.tell())
        out.write(b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n")
    x = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for o in offs:
        out.write(b"%010d 00000 n \n" % o)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, trailer, x))
    open(path, "wb").write(out.getvalue())


def cid(path):
    # A Type0 font with Identity-H codes and a ToUnicode CMap (bfchar,
    # bfrange with an array and with a base), shown with TJ kerning; and a
    # Type1 font whose /Differences name ligatures and quotes.
    cmap = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Test def 1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar <0001> <0048> <0002> <0069> endbfchar
2 beginbfrange <0010> <0019> <0030> <0020> <0022> [<0041> <0042> <FB01>] endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""
    content = (b"BT /F1 12 Tf 72 720 Td [<00010002>] TJ [<0010> -400 <00110012>] TJ ET\n"
               b"BT /F2 12 Tf 14 TL 72 700 Td [(\\001nd) -20 (ing) -350 (it\\002s)] TJ 0 -14 Td (T*) Tj T* (next) ' ET\n"
               b"BT /F1 10 Tf 1 0 0 1 72 650 Tm (\\000\\040\\000\\041\\000\\042) Tj ET")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R /F2 8 0 R >> >> >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
        stream(b"", content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+TestSans /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+TestSans /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 600 /W [1 [700 300] 16 25 550] >>",
        stream(b"", cmap),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [1 /fi 2 /quoteright] >> >>",
    ]
    write(path, objs, b"/Info << /Title (CID test) /Producer <FEFF0067006F> >> ")


def qpdf(src, dst, *args):
    subprocess.run(["qpdf", *args, src, dst], check=True)


def expect(path):
    doc = fitz.open(path)
    text = "\f".join(p.get_text() for p in doc)
    open(path[:-4] + ".txt", "w").write(text)


simple("simple.pdf")
qpdf("simple.pdf", "objstm.pdf", "--object-streams=generate", "--compress-streams=y")
ttf("ttf.pdf")
image("image.pdf")
table("table.pdf")
pages10("tenpages.pdf")
cid("cid.pdf")
# A file whose startxref points nowhere: readers rebuild the table.
data = open("simple.pdf", "rb").read()
i = data.rindex(b"startxref")
open("brokenxref.pdf", "wb").write(data[:i] + b"startxref\n999999\n%%EOF\n")
for f in ["simple.pdf", "objstm.pdf", "ttf.pdf", "image.pdf", "table.pdf", "tenpages.pdf", "brokenxref.pdf"]:
    expect(f)
# MuPDF 1.21 ignores the ToUnicode map of a font with no embedded program:
# poppler's pdftotext reads it.
open("cid.txt", "w").write(subprocess.run(["pdftotext", "cid.pdf", "-"], capture_output=True, text=True, check=True).stdout)
qpdf("simple.pdf", "encrypted.pdf", "--encrypt", "user", "owner", "256", "--")


def paper(path):
    # The stand-in of https://arxiv.org/pdf/1706.03762 the corpus runner
    # serves (testdata/corpus-resources): six pages, object streams.
    c = canvas.Canvas("paper.tmp.pdf", pagesize=letter, pageCompression=1)
    c.setTitle("Attention Is All You Need")
    c.setAuthor("Ashish Vaswani, Noam Shazeer, Niki Parmar, Jakob Uszkoreit, Llion Jones, Aidan N. Gomez, Lukasz Kaiser, Illia Polosukhin")
    sections = ["Abstract", "1 Introduction", "2 Background", "3 Model Architecture", "4 Why Self-Attention", "5 Conclusion"]
    body = ["This is a short stand-in for the paper, made for offline tests.",
            "The Transformer is based solely on attention mechanisms,",
            "dispensing with recurrence and convolutions entirely.",
            "Experiments on two machine translation tasks show these models",
            "to be superior in quality while being more parallelizable."]
    for i, s in enumerate(sections):
        if i == 0:
            c.setFont("Times-Bold", 17)
            c.drawString(150, 720, "Attention Is All You Need")
            c.setFont("Times-Roman", 10)
            c.drawString(150, 700, "Ashish Vaswani et al. (stand-in, arXiv:1706.03762)")
        c.setFont("Times-Bold", 12)
        c.drawString(72, 660, s)
        c.setFont("Times-Roman", 10)
        for j, line in enumerate(body):
            c.drawString(72, 640 - 13 * j, line)
        c.drawString(300, 40, str(i + 1))
        c.showPage()
    c.save()
    qpdf("paper.tmp.pdf", path, "--object-streams=generate", "--compress-streams=y")
    os.remove("paper.tmp.pdf")


paper("../../testdata/corpus-resources/arxiv.org/pdf/1706.03762")


def ghostscript(path):
    # Another producer: Ghostscript's pdfwrite, standard fonts without
    # /Widths, letter spacing (ashow), StandardEncoding's \351 (Oslash).
    ps = b"""%!PS
/Times-Roman findfont 12 scalefont setfont
72 720 moveto (Ghostscript wrote this line with Times.) show
72 700 moveto (Second line: efficient offices, naive caf\\351.) show
/Helvetica-Bold findfont 16 scalefont setfont
72 660 moveto (Heading in Helvetica Bold) show
/Courier findfont 10 scalefont setfont
72 640 moveto (mono  spaced   text) show
72 620 moveto 2 0 (word spacing test) ashow
showpage
/Times-Italic findfont 11 scalefont setfont
100 500 moveto (Page two, italic.) show
showpage
"""
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", "-sOutputFile=" + path, "-"], input=ps, check=True)
    expect(path)


ghostscript("ghostscript.pdf")


def type0(path):
    # PyMuPDF's own writer: a TrueType font as Type0/Identity-H with a /W
    # array and a ToUnicode map (the font program dropped to keep the file
    # small), with a blue line and a standard font.
    d = fitz.open()
    p = d.new_page()
    p.insert_font(fontname="dv", fontfile="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    p.insert_text((72, 72), "Type0 font: \u03a9\u03bc\u03ad\u03b3\u03b1, \u201cquotes\u201d, ok", fontname="dv", fontsize=11)
    p.insert_text((72, 100), "Second line in DejaVu", fontname="dv", fontsize=14, color=(0, 0, 1))
    p.insert_text((72, 130), "Helvetica base14", fontname="helv", fontsize=9)
    d.save("type0.tmp.pdf", garbage=4, deflate=True)
    d = fitz.open("type0.tmp.pdf")
    for x in range(1, d.xref_length()):
        if d.xref_get_key(x, "FontFile2")[0] != "null":
            d.xref_set_key(x, "FontFile2", "null")
    d.save(path, garbage=4, deflate=True)
    os.remove("type0.tmp.pdf")
    expect(path)


type0("type0.pdf")
