package editor

import "strings"

// UserSecret returns the secret key that user stored through
// /api/settings in the secrets file at path (Deps.SecretsFile), or "" when
// they stored none. It is for server code acting for that user, such as a
// workflow node that calls a service with the user's own API key; the
// value never goes back to a client. A secrets file that others may read
// is refused, as the settings routes refuse it.
func UserSecret(path, user, key string) (string, error) {
	secrets := secretsFile{}
	if err := readJSONFile(path, &secrets, true); err != nil {
		return "", err
	}
	sec := secrets[user][key]
	if sec == nil {
		return "", nil
	}
	return strings.TrimSpace(sec.Value), nil
}
