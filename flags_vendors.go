package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"strings"

	"nodetool/metrics"
	"nodetool/providers"
	"nodetool/providers/vendors"
)

// vendorFlags configure the hosted media-model services the vendor nodes
// call when a key is set: kie.ai (kie.*) and fal.ai (fal.*).
type vendorFlags struct {
	kieURL, kieUploadURL, kieKeyFile *string
	falURL, falKeyFile               *string
}

// envVendors are the environment variables of the vendor flags.
var envVendors = []string{"KIE_API_KEY", "NODETOOL_KIE_URL", "NODETOOL_KIE_UPLOAD_URL", "FAL_API_KEY", "NODETOOL_FAL_URL"}

func addVendorFlags(fs *flag.FlagSet) *vendorFlags {
	return &vendorFlags{
		kieURL:       fs.String("kie-url", vendors.DefaultKieURL, "kie.ai's API for the kie.* nodes, or a proxy or recorded service speaking it (env NODETOOL_KIE_URL)"),
		kieUploadURL: fs.String("kie-upload-url", "", "kie.ai's file upload service for the kie.* nodes' input images (env NODETOOL_KIE_UPLOAD_URL; default "+vendors.DefaultKieUploadURL+", or --kie-url when that is not kie.ai's)"),
		kieKeyFile:   fs.String("kie-api-key-file", "", "read the kie.ai key of the kie.* nodes from this file, mode 0600 (env KIE_API_KEY holds it directly); without a key they run where --model-map sends them"),
		falURL:       fs.String("fal-url", vendors.DefaultFalURL, "fal.ai's queue API for the fal.* nodes, or a proxy or recorded service speaking it (env NODETOOL_FAL_URL)"),
		falKeyFile:   fs.String("fal-api-key-file", "", "read the fal.ai key of the fal.* nodes from this file, mode 0600 (env FAL_API_KEY holds it directly); without a key they run where --model-map sends them"),
	}
}

// build returns the kie.ai and fal.ai clients; each is nil when it has no
// key and users cannot bring their own (userKey nil). userKey, when set,
// reads a user's own secret of that name (serve). m, when set, counts
// their requests.
func (f *vendorFlags) build(st *settings, getenv func(string) string, m *metrics.Server, userKey func(name string) func(ctx context.Context, user string) (string, error)) (*vendors.Kie, *vendors.Fal, error) {
	key := func(file, env, flagName string) (string, error) {
		k := strings.TrimSpace(getenv(env))
		if file != "" {
			var err error
			if k, err = readKeyFile(file); err != nil {
				return "", fmt.Errorf("--%s: %v", flagName, err)
			}
		}
		return k, nil
	}
	user := func(name string) func(context.Context, string) (string, error) {
		if userKey == nil {
			return nil
		}
		return userKey(name)
	}
	client := func(service string) *http.Client {
		c := providers.NewHTTPClient()
		if m != nil {
			c.Transport = m.Transport(service, c.Transport)
		}
		return c
	}
	kieKey, err := key(*f.kieKeyFile, "KIE_API_KEY", "kie-api-key-file")
	if err != nil {
		return nil, nil, err
	}
	falKey, err := key(*f.falKeyFile, "FAL_API_KEY", "fal-api-key-file")
	if err != nil {
		return nil, nil, err
	}
	kie, err := vendors.NewKie(vendors.KieConfig{BaseURL: st.str("kie-url", "NODETOOL_KIE_URL"), UploadURL: st.str("kie-upload-url", "NODETOOL_KIE_UPLOAD_URL"),
		Key: kieKey, UserKey: user("KIE_API_KEY"), Client: client("kie")})
	if err != nil {
		return nil, nil, fmt.Errorf("--kie-url / --kie-upload-url: %v", err)
	}
	fal, err := vendors.NewFal(vendors.FalConfig{BaseURL: st.str("fal-url", "NODETOOL_FAL_URL"), Key: falKey, UserKey: user("FAL_API_KEY"), Client: client("fal")})
	if err != nil {
		return nil, nil, fmt.Errorf("--fal-url: %v", err)
	}
	if !kie.Configured() {
		kie = nil
	}
	if !fal.Configured() {
		fal = nil
	}
	return kie, fal, nil
}

// withVendorLines adds the banner's lines about the vendor services that
// have a key (or take each user's own).
func withVendorLines(lines []string, kie *vendors.Kie, fal *vendors.Fal) []string {
	line := func(name, base, key string, operator bool) string {
		if operator {
			return fmt.Sprintf("%-11s%s (%s)", name+":", base, key)
		}
		return fmt.Sprintf("%-11s%s with each user's own %s secret", name+":", base, key)
	}
	if kie != nil {
		lines = append(lines, line("kie.ai", kie.BaseURL(), "KIE_API_KEY", kie.HasKey()))
	}
	if fal != nil {
		lines = append(lines, line("fal.ai", fal.BaseURL(), "FAL_API_KEY", fal.HasKey()))
	}
	return lines
}
