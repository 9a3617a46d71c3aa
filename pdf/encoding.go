package pdf

import (
	"strconv"
	"strings"
)

// winAnsi is WinAnsiEncoding (cp1252) from 0x80 to 0x9F; the rest of it
// is Latin-1.
var winAnsi = [32]rune{
	'€', '•', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '•', 'Ž', '•',
	'•', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '•', 'ž', 'Ÿ',
}

// macRomanHigh is MacRomanEncoding from 0x80 to 0xFF.
const macRomanHigh = "ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø¿¡¬√ƒ≈∆«»… ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄€‹›ﬁﬂ‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\uF8FFÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ"

// standardHigh is StandardEncoding above 0x7F.
var standardHigh = map[byte]rune{
	0xA1: '¡', 0xA2: '¢', 0xA3: '£', 0xA4: '⁄', 0xA5: '¥', 0xA6: 'ƒ', 0xA7: '§', 0xA8: '¤',
	0xA9: '\'', 0xAA: '“', 0xAB: '«', 0xAC: '‹', 0xAD: '›', 0xAE: 'ﬁ', 0xAF: 'ﬂ', 0xB1: '–',
	0xB2: '†', 0xB3: '‡', 0xB4: '·', 0xB6: '¶', 0xB7: '•', 0xB8: '‚', 0xB9: '„', 0xBA: '”',
	0xBB: '»', 0xBC: '…', 0xBD: '‰', 0xBF: '¿', 0xC1: '`', 0xC2: '´', 0xC3: 'ˆ', 0xC4: '˜',
	0xC5: '¯', 0xC6: '˘', 0xC7: '˙', 0xC8: '¨', 0xCA: '˚', 0xCB: '¸', 0xCD: '˝', 0xCE: '˛',
	0xCF: 'ˇ', 0xD0: '—', 0xE1: 'Æ', 0xE3: 'ª', 0xE8: 'Ł', 0xE9: 'Ø', 0xEA: 'Œ', 0xEB: 'º',
	0xF1: 'æ', 0xF5: 'ı', 0xF8: 'ł', 0xF9: 'ø', 0xFA: 'œ', 0xFB: 'ß',
}

// baseEncoding returns the 256 runes of a named encoding (0: none).
func baseEncoding(name Name) [256]rune {
	var e [256]rune
	for c := 32; c < 127; c++ {
		e[c] = rune(c)
	}
	switch name {
	case "WinAnsiEncoding":
		for c := 0x80; c < 0xA0; c++ {
			e[c] = winAnsi[c-0x80]
		}
		for c := 0xA0; c < 0x100; c++ {
			e[c] = rune(c)
		}
	case "MacRomanEncoding":
		i := 0x80
		for _, r := range macRomanHigh {
			e[i] = r
			i++
		}
	default: // StandardEncoding
		e['\''], e['`'] = '’', '‘'
		for c, r := range standardHigh {
			e[c] = r
		}
	}
	return e
}

// glyphNames maps the glyph names of /Differences that are not a single
// character or uniXXXX to their text (the Adobe Glyph List's common part).
var glyphNames = map[string]string{
	"space": " ", "exclam": "!", "quotedbl": "\"", "numbersign": "#", "dollar": "$", "percent": "%",
	"ampersand": "&", "quotesingle": "'", "quoteright": "’", "parenleft": "(", "parenright": ")",
	"asterisk": "*", "plus": "+", "comma": ",", "hyphen": "-", "period": ".", "slash": "/",
	"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
	"seven": "7", "eight": "8", "nine": "9", "colon": ":", "semicolon": ";", "less": "<",
	"equal": "=", "greater": ">", "question": "?", "at": "@", "bracketleft": "[", "backslash": "\\",
	"bracketright": "]", "asciicircum": "^", "underscore": "_", "grave": "`", "quoteleft": "‘",
	"braceleft": "{", "bar": "|", "braceright": "}", "asciitilde": "~", "exclamdown": "¡",
	"cent": "¢", "sterling": "£", "fraction": "⁄", "yen": "¥", "florin": "ƒ", "section": "§",
	"currency": "¤", "quotedblleft": "“", "guillemotleft": "«", "guilsinglleft": "‹",
	"guilsinglright": "›", "fi": "fi", "fl": "fl", "ff": "ff", "ffi": "ffi", "ffl": "ffl",
	"endash": "–", "emdash": "—", "dagger": "†", "daggerdbl": "‡", "periodcentered": "·",
	"paragraph": "¶", "bullet": "•", "quotesinglbase": "‚", "quotedblbase": "„",
	"quotedblright": "”", "guillemotright": "»", "ellipsis": "…", "perthousand": "‰",
	"questiondown": "¿", "acute": "´", "circumflex": "ˆ", "tilde": "˜", "macron": "¯",
	"breve": "˘", "dotaccent": "˙", "dieresis": "¨", "ring": "˚", "cedilla": "¸",
	"hungarumlaut": "˝", "ogonek": "˛", "caron": "ˇ", "AE": "Æ", "ordfeminine": "ª",
	"Lslash": "Ł", "Oslash": "Ø", "OE": "Œ", "ordmasculine": "º", "ae": "æ", "dotlessi": "ı",
	"lslash": "ł", "oslash": "ø", "oe": "œ", "germandbls": "ß", "Euro": "€", "trademark": "™",
	"copyright": "©", "registered": "®", "degree": "°", "plusminus": "±", "multiply": "×",
	"divide": "÷", "minus": "−", "mu": "µ", "logicalnot": "¬", "brokenbar": "¦",
	"onehalf": "½", "onequarter": "¼", "threequarters": "¾", "onesuperior": "¹",
	"twosuperior": "²", "threesuperior": "³", "nbspace": "\u00a0", "sfthyphen": "\u00ad",
	"Scaron": "Š", "scaron": "š", "Zcaron": "Ž", "zcaron": "ž", "Ydieresis": "Ÿ", "dotlessj": "ȷ",
	"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "lambda": "λ",
	"pi": "π", "sigma": "σ", "theta": "θ", "Delta": "Δ", "Omega": "Ω", "Sigma": "Σ",
	"arrowright": "→", "arrowleft": "←", "infinity": "∞", "lessequal": "≤", "greaterequal": "≥",
	"notequal": "≠", "approxequal": "≈", "summation": "∑", "product": "∏", "radical": "√",
	"partialdiff": "∂", "integral": "∫", "circlecopyrt": "\u20dd", // as MuPDF: TeX draws it over a "c"
}

// accents composes Latin-1 letters named like "eacute".
var accents = map[string]rune{"acute": '\u0301', "grave": '\u0300', "circumflex": '\u0302',
	"dieresis": '\u0308', "tilde": '\u0303', "ring": '\u030a', "cedilla": '\u0327', "caron": '\u030c'}

// latin1Composed holds the precomposed letters the accents table can form.
const latin1Composed = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿŠšŽžŸ"

// glyphText returns the text of a glyph name, "" when unknown.
func glyphText(name string) string {
	if t, ok := glyphNames[name]; ok {
		return t
	}
	if len(name) == 1 {
		return name
	}
	if base, _, ok := strings.Cut(name, "."); ok && base != "" {
		return glyphText(base)
	}
	if strings.HasPrefix(name, "uni") && len(name) >= 7 {
		var b strings.Builder
		for i := 3; i+4 <= len(name); i += 4 {
			v, err := strconv.ParseUint(name[i:i+4], 16, 32)
			if err != nil {
				return ""
			}
			b.WriteRune(rune(v))
		}
		return b.String()
	}
	if name[0] == 'u' && len(name) >= 5 && len(name) <= 7 {
		if v, err := strconv.ParseUint(name[1:], 16, 32); err == nil && v <= 0x10FFFF {
			return string(rune(v))
		}
	}
	if strings.Contains(name, "_") {
		var b strings.Builder
		for part := range strings.SplitSeq(name, "_") {
			b.WriteString(glyphText(part))
		}
		return b.String()
	}
	for suffix, mark := range accents {
		if base, ok := strings.CutSuffix(name, suffix); ok && len(base) == 1 {
			for _, r := range latin1Composed {
				if decompose(r) == base+string(mark) {
					return string(r)
				}
			}
		}
	}
	return ""
}

// decompose returns the base letter and combining mark of a letter of
// latin1Composed.
func decompose(r rune) string {
	const bases = "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyySsZzY"
	const marks = "\u0300\u0301\u0302\u0303\u0308\u030a\u0327\u0300\u0301\u0302\u0308\u0300\u0301\u0302\u0308\u0303\u0300\u0301\u0302\u0303\u0308\u0300\u0301\u0302\u0308\u0301\u0300\u0301\u0302\u0303\u0308\u030a\u0327\u0300\u0301\u0302\u0308\u0300\u0301\u0302\u0308\u0303\u0300\u0301\u0302\u0303\u0308\u0300\u0301\u0302\u0308\u0301\u0308\u030c\u030c\u030c\u030c\u0308"
	mk := []rune(marks)
	i := 0
	for _, c := range latin1Composed {
		if c == r {
			return string(bases[i]) + string(mk[i])
		}
		i++
	}
	return ""
}
